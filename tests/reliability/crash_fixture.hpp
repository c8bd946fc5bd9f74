#pragma once
// The crash-consistency run: a real cardd (on SQLite or a private MariaDB)
// with the simulated encoder "desk", two Modbus TCP terminals and one on an
// RS-485 bus, driven through its control socket by a seeded random mix of
// card-centre work and purchases, and killed with SIGKILL again and again.
// After each restart every chip is read on the encoder and the card centre
// is checked against the chips, the terminals and what the client saw.

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>

#include "tests/e2e/e2e_fixture.hpp"
#include "tests/reliability/choice.hpp"
#include "tests/reliability/findings.hpp"
#include "tests/reliability/kill_aim.hpp"
#include "tests/reliability/model.hpp"
#include "tests/reliability/run_settings.hpp"

namespace cardd::reliability {

using nlohmann::json;

/// One terminal as the driver sees it: its card-termsim and index there.
struct Terminal {
    e2e::Sim* sim = nullptr;
    int index = 0;
};

/// A request cardd was killed in, and what the client saw of it.
struct Killed {
    Operation op;
    Aim aim = Aim::random_moment;
    std::string when;            ///< "2.3 ms after sending it"
    std::optional<json> answer;  ///< the final answer, when it came before cardd died
    /// "kill 3 of 8 (...): top-up of card 1003 by 12.00, answer lost"
    std::string describe(int kill, int kills) const;
};

class CrashRun : public e2e::E2e {
protected:
    void SetUp() override;
    void TearDown() override;

    // ---- driving (driver.cpp) ----

    /// Issues the first cards, so that every kind of operation has a card to act on.
    void open_canteen();
    /// Runs `op` to its answer; the model learns what happened.
    void perform(Operation op);
    /// Sends `op`, kills cardd at the moment `aim` picks, starts cardd again.
    Killed perform_and_kill(Operation op, Aim aim);

    // ---- after each restart ----

    /// Places every chip on the encoder and reads it once (checks.cpp).
    void read_every_chip();
    /// The operation cardd was killed in, when its answer was lost: from the
    /// store, whether it happened, so the model follows (resolution.cpp).
    void resolve(const Killed& killed);
    /// Every check (checks.cpp).
    void check_everything();

    // ---- shared by the parts ----

    /// One request on its own connection; its final answer.
    json call(const json& request);
    json call(const std::string& command, const json& arguments);
    /// card-info's arguments, or none when the store has no such card.
    std::optional<json> card_info(CardNo card);
    /// What the model learns from a success the client saw.
    void confirmed(const Operation& op, const json& answer, const std::string& origin);

    RunSettings settings_;
    std::mt19937_64 random_;
    Model model_;
    Timings timings_;
    std::optional<Findings> findings_;
    std::optional<Choice> choice_;
    std::map<std::string, Terminal> terminals_;
    /// This round's card-read answers, chip UID → answer.
    std::map<std::string, json> reads_;
    /// The chip on the encoder, as far as the driver put it there.
    std::optional<std::string> on_reader_;
    int kill_ = 0;
    /// Kills that landed when the intent id was in the log, and all aimed at it.
    int intent_hits_ = 0;
    int intent_aims_ = 0;
    /// The log of the cardd run that was killed last.
    std::filesystem::path killed_log_;

    /// The last `lines` lines of a log, indented, for a failure message.
    static std::string log_tail(const std::filesystem::path& file, std::size_t lines);

private:
    // checks.cpp
    void check_pending();
    void collect_everything();
    std::map<CardNo, json> check_cards();
    std::map<std::string, std::set<CardNo>> check_blacklists();
    void check_chips(const std::map<CardNo, json>& stored, const std::map<std::string, std::set<CardNo>>& desired);
    void check_people();
    void check_counts();
    void learn_chips();

    void prepare(Operation& op);
    void place_chip(const std::string& uid);
    void perform_tap(const Operation& op);
    std::chrono::microseconds kill_delay(const Operation& op, Aim aim);
};

}  // namespace cardd::reliability
