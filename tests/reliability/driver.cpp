// The crash run's driving: setting up the canteen, running operations to
// their answer, and killing cardd in the middle of one.

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <unistd.h>

#include <cstdio>
#include <deque>
#include <fstream>
#include <iostream>
#include <thread>

#include "tests/reliability/crash_fixture.hpp"
#include "tests/reliability/log_follower.hpp"
#include "tests/reliability/request_in_flight.hpp"
#include "tests/support/temp_dir.hpp"
#include "protocol/money.hpp"

namespace cardd::reliability {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using std::chrono::microseconds;

namespace {

// Before any request of a kind was timed: a card write takes a few ms, the
// slowest requests (a loss collects and pushes on three terminals) far more.
constexpr microseconds untimed_write = 5ms;
constexpr microseconds untimed_request = 50ms;

// How long the kill waits for the intent id before it gives up on the request.
constexpr auto intent_wait = 10s;

// The cards the canteen opens with.
constexpr int opening_cards = 4;

std::string milliseconds(microseconds time) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f ms", static_cast<double>(time.count()) / 1000.0);
    return text;
}

// Sleeps most of the way and spins the rest: a kill aimed inside a write of
// a few ms must land within tens of microseconds of its aim.
void wait_until(Clock::time_point moment) {
    for (;;) {
        const auto left = moment - Clock::now();
        if (left <= Clock::duration::zero()) return;
        if (left > 2ms) {
            std::this_thread::sleep_for(left - 1ms);
        } else {
            sched_yield();
        }
    }
}

// A real serial port drops what it receives once its last user is gone:
// the kernel flushes a tty at its last close, and a closed UART hears
// nothing. A pseudo-terminal keeps it, so the answer to a request the killed
// cardd sent would wait on the line and be read by the next cardd as the
// answer to its own first request. The line is drained, once quiet, as the
// real port would be.
void drain_line(const std::string& device) {
    const int fd = ::open(device.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return;
    const auto deadline = Clock::now() + 1s;
    char buffer[512];
    while (Clock::now() < deadline) {
        pollfd ready{fd, POLLIN, 0};
        if (::poll(&ready, 1, 50) <= 0) break;  // 50 ms without a byte: quiet
        if (::read(fd, buffer, sizeof buffer) <= 0) break;
    }
    ::close(fd);
}

}  // namespace

std::string Killed::describe(int kill, int kills) const {
    std::string text = "kill " + std::to_string(kill) + " of " + std::to_string(kills) + ", aimed at " +
                       std::string(to_string(aim)) + " (" + when + "), in the " + op.describe() + "; ";
    if (!answer) return text + "its answer was lost to the kill";
    return text + "its answer came before cardd died: result " + std::to_string(answer->value("result", -1));
}

void CrashRun::SetUp() {
    settings_ = run_settings_from_environment();
    const std::string backend = GetParam() == e2e::Backend::sqlite ? "sqlite" : "mariadb";
    std::cout << "crash run on " << backend << ": " << describe(settings_) << std::endl;
    RecordProperty("seed", std::to_string(settings_.seed));
    random_.seed(settings_.seed);
    findings_.emplace(describe(settings_) + ", " + backend);
    findings_->round("the canteen opened, before any kill", nullptr);
    print_log_on_failure_ = false;
    E2e::SetUp();

    e2e::Sim& first = tcp_sim("canteen-1");
    add_tcp_terminal("canteen-1", first);
    e2e::Sim& second = tcp_sim("canteen-2");
    add_tcp_terminal("canteen-2", second);
    // No parity on the bus: a pseudo-terminal drops the parity bit, and glibc
    // then refuses to set it again on one that a killed cardd left configured,
    // which a real serial port would not do.
    e2e::Sim& bus = rtu_sim("kiosk-3", {3}, {}, 'N');
    add_rtu_terminal("kiosk-3", 3, 'N');
    terminals_ = {{"canteen-1", {&first, 0}}, {"canteen-2", {&second, 0}}, {"kiosk-3", {&bus, 0}}};
    add_sim_encoder();
    std::vector<std::string> names;
    for (const auto& [name, terminal] : terminals_) names.push_back(name);
    choice_.emplace(random_, names);
}

void CrashRun::TearDown() {
    if (HasFailure()) {
        // The run's directory goes with the test; its logs are what explains a finding.
        const std::string backend = GetParam() == e2e::Backend::sqlite ? "sqlite" : "mariadb";
        const fs::path kept =
            test::test_tmp_root() / ("reliability-" + backend + "-seed" + std::to_string(settings_.seed));
        std::error_code ignored;
        fs::remove_all(kept, ignored);
        fs::create_directories(kept, ignored);
        for (const auto& entry : fs::directory_iterator(dir_.path(), ignored)) {
            if (entry.path().filename().string().starts_with("cardd-")) {
                fs::copy_file(entry.path(), kept / entry.path().filename(), ignored);
            }
        }
        std::cerr << "cardd's logs of every run are kept in " << kept.string() << "\n";
    }
    E2e::TearDown();
}

json CrashRun::call(const json& request) { return ask(request, 60s); }

json CrashRun::call(const std::string& command, const json& arguments) {
    return call(json{{"command", command}, {"arguments", arguments}});
}

std::optional<json> CrashRun::card_info(CardNo card) {
    const json answer = call("card-info", {{"card_no", card}});
    const int result = answer.value("result", -1);
    if (result == 3) return std::nullopt;
    if (result != 0) {
        findings_->fail("card-info answers", "card " + std::to_string(card), "cardd answered " + answer.dump());
        return std::nullopt;
    }
    return answer.at("arguments");
}

void CrashRun::open_canteen() {
    for (int i = 0; i < opening_cards; ++i) {
        if (auto op = choice_->of(model_, OpKind::issue)) {
            op->amount = std::max<Cents>(op->amount, 2000);
            perform(*op);
        }
    }
}

void CrashRun::place_chip(const std::string& uid) {
    const json placed = call("encoder-sim-place", {{"uid", uid}});
    if (placed.value("result", -1) != 0) {
        findings_->fail("a chip can be put back on the encoder", "chip " + uid, "cardd answered " + placed.dump());
    }
    on_reader_ = uid;
}

void CrashRun::prepare(Operation& op) {
    if (op.kind == OpKind::issue || op.kind == OpKind::replace) {
        const json placed = call("encoder-sim-place", {{"blank", true}});
        op.uid = placed.at("arguments").at("uid").get<std::string>();
        model_.blank_placed(op.uid);
        on_reader_ = op.uid;
    } else if (op.kind == OpKind::top_up || op.kind == OpKind::return_wipe ||
               (op.kind == OpKind::refund_close && op.wipe)) {
        op.uid = model_.cards.at(op.card).uid;
        place_chip(op.uid);
    }
}

void CrashRun::confirmed(const Operation& op, const json& answer, const std::string& origin) {
    model_.happened(op, origin);
    const json& arguments = answer.value("arguments", json::object());
    // What the card holds after a top-up is in the answer: the chip's truth.
    if (op.kind == OpKind::top_up && arguments.contains("on_card")) {
        model_.chips[op.uid].balance = arguments.at("on_card").at("balance").get<Cents>();
    }
}

void CrashRun::perform(Operation op) {
    if (op.kind == OpKind::tap) {
        perform_tap(op);
        return;
    }
    prepare(op);
    const auto start = Clock::now();
    const json answer = call(op.request());
    if (answer.value("result", -1) != 0) {
        findings_->fail("an operation the card centre should accept succeeds", "the " + op.describe(),
                        "cardd answered " + answer.dump());
        if (op.card != 0) model_.retired.insert(op.card);
        return;
    }
    timings_.record(op.kind, std::chrono::duration_cast<microseconds>(Clock::now() - start));
    confirmed(op, answer, "the " + op.describe() + " (answered)");
}

void CrashRun::perform_tap(const Operation& op) {
    Terminal& terminal = terminals_.at(op.terminal);
    // A terminal refuses a card on its blacklist before it touches the card;
    // this person buys elsewhere.
    const e2e::Cards refused = terminal.sim->list(terminal.index);
    if (std::ranges::find(refused, static_cast<std::uint32_t>(op.card)) != refused.end()) return;
    if (on_reader_ == op.uid) {
        call("encoder-sim-remove", json::object());
        on_reader_.reset();
    }
    const std::string subject = "card " + std::to_string(op.card);
    const json spent = call("encoder-sim-spend", {{"uid", op.uid}, {"amount", op.amount}});
    if (spent.value("result", -1) != 0) {
        findings_->fail("a card with money on it can be spent", subject,
                        "encoder-sim-spend of " + protocol::format_yuan(op.amount) + " answered " + spent.dump());
        model_.retired.insert(op.card);
        return;
    }
    const auto counter = spent.at("arguments").at("counter").get<std::uint32_t>();
    const auto balance_after = spent.at("arguments").at("balance_after").get<Cents>();
    model_.chips[op.uid].balance = balance_after;
    const std::string tap = "tap " + std::to_string(op.card) + " " + std::to_string(op.amount) + " " +
                            std::to_string(balance_after) + " " + std::to_string(counter);
    const std::string answer = terminal.sim->control(tap, terminal.index);
    if (answer.rfind("ok purchase", 0) != 0) {
        // The card paid, the terminal kept no record: the card now holds
        // less than the store will, and says so at the next check.
        findings_->fail("a terminal records the purchase it took money for", subject,
                        op.terminal + " answered '" + answer + "' to '" + tap + "'");
        model_.retired.insert(op.card);
        return;
    }
    model_.tapped(op, "the " + op.describe() + " (counter " + std::to_string(counter) + ")");
    model_.chips[op.uid].balance = balance_after;
}

microseconds CrashRun::kill_delay(const Operation& op, Aim aim) {
    const microseconds typical = aim == Aim::write_by_delay ? timings_.typical(op.kind, untimed_write)
                                                            : timings_.typical(op.kind, untimed_request) * 3 / 2;
    return microseconds(choice_->between(0, typical.count()));
}

Killed CrashRun::perform_and_kill(Operation op, Aim aim) {
    prepare(op);
    Killed killed{op, aim, "", std::nullopt};
    LogFollower log(cardd_log_file());
    RequestInFlight request(socket(), op.request());
    if (aim == Aim::intent_logged) {
        ++intent_aims_;
        for (;;) {
            const auto after = std::chrono::duration_cast<microseconds>(Clock::now() - request.sent_at());
            if (log.seen(intent_opened_id)) {
                ++intent_hits_;
                killed.when =
                    milliseconds(after) + " after sending it, once it logged " + std::string(intent_opened_id);
                break;
            }
            if (request.answered()) {
                killed.when = "as its answer came, " + milliseconds(after) + " after sending it: cardd logged no " +
                              std::string(intent_opened_id);
                break;
            }
            if (after > intent_wait) {
                killed.when = milliseconds(after) + " after sending it, neither answered nor its intent logged";
                break;
            }
            sched_yield();
        }
    } else {
        const microseconds delay = kill_delay(op, aim);
        wait_until(request.sent_at() + delay);
        killed.when = milliseconds(delay) + " after sending it";
    }
    kill_cardd();
    drain_line(bus_device());
    request.drain(1s);
    killed.answer = request.answer();
    killed_log_ = cardd_log_file();
    start_cardd();
    on_reader_.reset();
    if (killed.answer) {
        if (killed.answer->value("result", -1) == 0) {
            confirmed(op, *killed.answer,
                      "the " + op.describe() + " (answered before kill " + std::to_string(kill_) + ")");
        } else {
            findings_->fail("an operation the card centre should accept succeeds", "the " + op.describe(),
                            "cardd answered " + killed.answer->dump());
            if (op.card != 0) model_.retired.insert(op.card);
        }
    }
    return killed;
}

std::string CrashRun::log_tail(const std::filesystem::path& file, std::size_t lines) {
    std::ifstream in(file);
    std::deque<std::string> last;
    for (std::string line; std::getline(in, line);) {
        last.push_back(std::move(line));
        if (last.size() > lines) last.pop_front();
    }
    std::string text;
    for (const auto& line : last) text += "    " + line + "\n";
    return text.empty() ? "    (nothing)\n" : text;
}

}  // namespace cardd::reliability
