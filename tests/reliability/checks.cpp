// The checks after each restart, once every chip has been read on the
// encoder: chips against the store, the store against what the client saw,
// terminals against the store. Each compares real outcomes; a failure names
// the seed, the kill and the operation through Findings.

#include <algorithm>
#include <thread>

#include "protocol/checksum.hpp"
#include "tests/reliability/crash_fixture.hpp"
#include "protocol/money.hpp"

namespace cardd::reliability {

using namespace std::chrono_literals;

namespace {

// Each check's name, as failures show it.
constexpr std::string_view no_open_intent = "no card write is left open once every chip was read ('pending')";
constexpr std::string_view records_collected = "every terminal's records can be collected";
constexpr std::string_view card_exists = "a card the client saw issued (or that was issued) exists";
constexpr std::string_view card_state = "each card is in the state its operations left it";
constexpr std::string_view card_chip = "each card is on the chip it was written on, for its person";
constexpr std::string_view balance_is_ledger = "a balance is the sum of its ledger";
constexpr std::string_view exact_ledger = "the ledger holds exactly the operations that happened, each once";
constexpr std::string_view records_once = "no terminal record is counted twice, none is lost";
constexpr std::string_view chip_readable = "every chip can be read on the encoder";
constexpr std::string_view money_known = "money is only on chips the store counts it on";
constexpr std::string_view chip_is_card = "a card of the store is on its chip as the store has it";
constexpr std::string_view chip_balance = "a chip holds the balance the store gives it";
constexpr std::string_view closed_cards = "a returned or refund-closed card is blank or refused by every terminal";
constexpr std::string_view wiped_cards = "a card returned with wipe is blank";
constexpr std::string_view people_known = "the store holds exactly the people the operations created";
constexpr std::string_view cards_counted = "the store holds exactly the cards the operations created";
constexpr std::string_view blacklist_planned = "every terminal's desired blacklist holds the lost and replaced cards";
constexpr std::string_view blacklist_enforced = "every terminal enforces the store's desired blacklist by itself";

// A terminal left behind by a kill is brought level by cardd's retry
// queue (retry_initial_s 1, retry_cap_s 2): this is several rounds of it.
constexpr auto enforcement_wait = 20s;

std::string list_text(const std::set<CardNo>& cards) {
    std::string text = "[";
    for (const CardNo card : cards) text += (text.size() > 1 ? ", " : "") + std::to_string(card);
    return text + "]";
}

std::string lines_text(const std::vector<LedgerLine>& lines, bool with_origin) {
    std::string text;
    for (const auto& line : lines) {
        text += "\n      " + line.describe();
        if (with_origin && !line.origin.empty()) text += ", from " + line.origin;
    }
    return text.empty() ? " none" : text;
}

std::vector<LedgerLine> ledger_of(const json& info, const std::string& origin) {
    std::vector<LedgerLine> lines;
    for (const json& line : info.at("ledger")) {
        lines.push_back(
            {line.at("kind").get<std::string>(), line.at("amount").get<Cents>(), line.at("cash").get<Cents>(), origin});
    }
    return lines;
}

long purchases_in(const std::vector<LedgerLine>& lines) {
    return std::ranges::count_if(lines, [](const LedgerLine& line) { return line.kind == "purchase"; });
}

}  // namespace

void CrashRun::read_every_chip() {
    reads_.clear();
    for (const auto& [uid, chip] : model_.chips) {
        place_chip(uid);
        reads_[uid] = call("card-read", {{"wait_s", 2}});
    }
}

void CrashRun::check_everything() {
    check_pending();
    collect_everything();
    const auto stored = check_cards();
    const auto desired = check_blacklists();
    check_chips(stored, desired);
    check_people();
    check_counts();
    learn_chips();
}

void CrashRun::check_pending() {
    const json answer = call("pending", json::object());
    const int result = answer.value("result", -1);
    if (result == 2) {
        findings_->fail(no_open_intent, "the control socket",
                        "cardd does not know the command 'pending' (" + answer.value("text", std::string()) +
                            "); it must answer {\"pending\": [...]}, one entry per open card-write intent, so that "
                            "an intent left open by a kill is seen");
    } else if (result != 0) {
        findings_->fail(no_open_intent, "the control socket", "'pending' answered " + answer.dump());
    } else if (const json& open = answer.at("arguments").at("pending"); !open.empty()) {
        findings_->fail(no_open_intent, "the card writes", "still open after every chip was read: " + open.dump());
    }
}

void CrashRun::collect_everything() {
    json answer;
    for (int attempt = 0; attempt < 5; ++attempt) {
        answer = call("collect", json::object());
        if (answer.value("result", -1) == 0 && answer.at("arguments").value("failed", json::array()).empty()) return;
        std::this_thread::sleep_for(1s);
    }
    findings_->fail(records_collected, "the terminals", "collect answered " + answer.dump());
}

std::map<CardNo, json> CrashRun::check_cards() {
    std::map<CardNo, json> stored;
    const std::string adopted = "the store after kill " + std::to_string(kill_);
    for (auto& [number, card] : model_.cards) {
        const std::string subject = "card " + std::to_string(number);
        auto info = card_info(number);
        if (!info) {
            findings_->fail(card_exists, subject,
                            "the store has no " + subject + "; the last operation on it: " + card.last_operation);
            continue;
        }
        const json& held = info->at("card");
        const auto state = state_from(held.at("state").get<std::string>());
        if (state != card.state) {
            findings_->fail(card_state, subject,
                            "the store has it " + held.at("state").get<std::string>() + ", expected " +
                                std::string(to_string(card.state)) + " after " + card.last_operation);
            if (state) card.state = *state;
            model_.retired.insert(number);
        }
        if (held.at("uid") != card.uid || held.at("staff_no") != card.staff_no) {
            findings_->fail(card_chip, subject,
                            "the store has it on chip " + held.at("uid").dump() + " for " + held.at("staff_no").dump() +
                                ", expected chip " + card.uid + " for " + card.staff_no);
            model_.retired.insert(number);
        }
        std::vector<LedgerLine> lines = ledger_of(*info, adopted);
        Cents sum = 0;
        for (const auto& line : lines) sum += line.amount;
        if (held.at("balance").get<Cents>() != sum) {
            findings_->fail(balance_is_ledger, subject,
                            "card-info gives a balance of " + protocol::format_yuan(held.at("balance").get<Cents>()) +
                                ", its ledger lines add up to " + protocol::format_yuan(sum));
        }
        const long taps = purchases_in(card.ledger);
        const long recorded = purchases_in(lines);
        if (recorded != taps) {
            findings_->fail(records_once, subject,
                            "the ledger has " + std::to_string(recorded) +
                                " purchase lines, the terminals were tapped " + std::to_string(taps) +
                                " times with it" +
                                (recorded > taps ? " (a record counted twice)" : " (a record lost)"));
        }
        // The lines each side has that the other has not.
        std::vector<LedgerLine> missing;
        std::vector<LedgerLine> unexpected = lines;
        for (const auto& line : card.ledger) {
            const auto match =
                std::ranges::find_if(unexpected, [&](const LedgerLine& other) { return line.same_as(other); });
            if (match == unexpected.end()) {
                missing.push_back(line);
            } else {
                unexpected.erase(match);
            }
        }
        if (!missing.empty() || !unexpected.empty()) {
            findings_->fail(exact_ledger, subject,
                            "lines the operations wrote that the store lacks:" + lines_text(missing, true) +
                                "\n    lines the store has that no operation wrote:" + lines_text(unexpected, false) +
                                "\n    the last operation on the card: " + card.last_operation);
            // The store's lines from now on, so that a later fault on this
            // card is a new finding; but the purchases stay the taps made,
            // which the record check goes on counting.
            std::vector<LedgerLine> adopted_lines;
            for (auto& line : lines) {
                if (line.kind != "purchase") adopted_lines.push_back(std::move(line));
            }
            for (const auto& line : card.ledger) {
                if (line.kind == "purchase") adopted_lines.push_back(line);
            }
            card.ledger = std::move(adopted_lines);
            model_.retired.insert(number);
        }
        stored[number] = std::move(*info);
    }
    return stored;
}

std::map<std::string, std::set<CardNo>> CrashRun::check_blacklists() {
    const std::set<CardNo> planned = model_.blacklist();
    std::map<std::string, std::set<CardNo>> desired_sets;
    for (auto& [name, terminal] : terminals_) {
        const e2e::Cards cards = desired(name);
        const std::set<CardNo> wanted(cards.begin(), cards.end());
        desired_sets[name] = wanted;
        std::set<CardNo> missing;
        std::set<CardNo> extra;
        std::ranges::set_difference(planned, wanted, std::inserter(missing, missing.end()));
        std::ranges::set_difference(wanted, planned, std::inserter(extra, extra.end()));
        if (!missing.empty() || !extra.empty()) {
            findings_->fail(blacklist_planned, name,
                            "the store wants it to refuse " + list_text(wanted) +
                                "; lost, replaced and closed-while-lost "
                                "cards are " +
                                list_text(planned) + " (missing " + list_text(missing) + ", not lost " +
                                list_text(extra) + ")");
        }
        const std::uint32_t checksum = protocol::blacklist_checksum(cards);
        const bool level = eventually(
            [&] {
                return terminal.sim->list(terminal.index) == cards &&
                       terminal.sim->state(terminal.index).at("checksum").get<std::uint32_t>() == checksum;
            },
            enforcement_wait);
        if (!level) {
            const e2e::Cards held = terminal.sim->list(terminal.index);
            findings_->fail(blacklist_enforced, name,
                            "after " + std::to_string(enforcement_wait.count()) + " s it refuses " +
                                list_text({held.begin(), held.end()}) + ", the store wants " + list_text(wanted) +
                                "; its state " + terminal.sim->state(terminal.index).dump());
        }
    }
    return desired_sets;
}

void CrashRun::check_chips(const std::map<CardNo, json>& stored,
                           const std::map<std::string, std::set<CardNo>>& desired_sets) {
    for (const auto& [uid, chip] : model_.chips) {
        const std::string subject = "chip " + uid;
        const json& read = reads_[uid];
        if (read.value("result", -1) != 0) {
            findings_->fail(chip_readable, subject, "card-read answered " + read.dump());
            if (chip.card) model_.retired.insert(*chip.card);
            continue;
        }
        const json& seen = read.at("arguments");
        const std::string kind = seen.at("kind").get<std::string>();
        const json on_card = seen.value("on_card", json::object());
        const Cents holds = on_card.value("balance", Cents{0});
        if (!chip.card) {
            // A blank on which an issue or replacement never happened.
            if (kind == "foreign" || (kind == "ours" && holds != 0)) {
                findings_->fail(money_known, subject,
                                "it reads as " + kind + " " + on_card.dump() +
                                    ", holding money as a card the store does not have on it: a card write whose store "
                                    "change never happened");
            }
            continue;
        }
        const CardNo number = *chip.card;
        const ModelCard& card = model_.cards.at(number);
        const auto found = stored.find(number);
        if (found == stored.end()) continue;  // already reported: no such card
        const json& held = found->second.at("card");
        const std::string card_subject = "card " + std::to_string(number);
        const std::string state = held.at("state").get<std::string>();
        if (state == "returned") {
            if (card.wiped && kind != "blank") {
                findings_->fail(wiped_cards, card_subject,
                                "its return with wipe happened (" + card.last_operation + "), but chip " + uid +
                                    " reads as " + kind + " " + on_card.dump());
            }
            if (kind == "blank") continue;
            std::string not_refusing;
            for (const auto& [name, cards] : desired_sets) {
                if (!cards.contains(number)) not_refusing += (not_refusing.empty() ? "" : ", ") + name;
            }
            if (!not_refusing.empty()) {
                findings_->fail(closed_cards, card_subject,
                                "the store has it returned, its money paid out in cash, yet chip " + uid + " holds " +
                                    protocol::format_yuan(holds) + " as " + card_subject + " and " + not_refusing +
                                    " would take it; the last operation on it: " + card.last_operation);
            }
            continue;
        }
        if (kind != "ours") {
            findings_->fail(chip_is_card, card_subject,
                            "chip " + uid + " reads as " + kind + "; the store has " + card_subject + " " + state +
                                " on it with " + protocol::format_yuan(held.at("balance").get<Cents>()) +
                                "; the last operation on it: " + card.last_operation);
            model_.retired.insert(number);
            continue;
        }
        std::string wrong;
        if (on_card.at("card_no").get<CardNo>() != number)
            wrong += " its card number " + on_card.at("card_no").dump() + ";";
        if (on_card.at("serial") != held.at("serial")) {
            wrong += " its serial " + on_card.at("serial").dump() + " (the store's " + held.at("serial").dump() + ");";
        }
        if (on_card.at("status") != "active") wrong += " its status " + on_card.at("status").dump() + ";";
        if (held.at("uid") != uid) wrong += " the store has the card on chip " + held.at("uid").dump() + ";";
        if (!wrong.empty()) {
            findings_->fail(chip_is_card, card_subject, "chip " + uid + ":" + wrong + " read " + on_card.dump());
            model_.retired.insert(number);
        }
        // A replaced card keeps the money that was carried from it, which
        // only the blacklist stops; any other card holds its ledger balance.
        Cents expected = held.at("balance").get<Cents>();
        if (state == "replaced") {
            expected = 0;
            for (const json& line : found->second.at("ledger")) {
                if (line.at("kind") == "carry_out") expected -= line.at("amount").get<Cents>();
            }
        }
        if (holds != expected) {
            const Cents gap = holds - expected;
            findings_->fail(chip_balance, card_subject,
                            "chip " + uid + " holds " + protocol::format_yuan(holds) + ", the store " +
                                protocol::format_yuan(expected) + " (" + state + "): " +
                                (gap > 0 ? "the chip has " + protocol::format_yuan(gap) +
                                               " the store does not count (written without the store)"
                                         : "the store counts " + protocol::format_yuan(-gap) +
                                               " the chip does not hold (the store changed without the card)") +
                                "; the last operation on it: " + card.last_operation);
            model_.retired.insert(number);
        }
    }
}

void CrashRun::check_people() {
    const json answer = call("person-list", json::object());
    std::map<std::string, std::optional<CardNo>> held;
    for (const json& person : answer.at("arguments").at("people")) {
        const json& card = person.at("card_no");
        held[person.at("staff_no").get<std::string>()] =
            card.is_null() ? std::nullopt : std::optional<CardNo>(card.get<CardNo>());
    }
    for (const auto& [staff_no, card] : held) {
        const auto known = model_.people.find(staff_no);
        if (known == model_.people.end()) {
            findings_->fail(people_known, "person " + staff_no,
                            "the store has this person, whose onboarding the store shows did not happen");
        } else if (known->second != card) {
            findings_->fail(people_known, "person " + staff_no,
                            "the store gives them card " + (card ? std::to_string(*card) : "none") + ", expected " +
                                (known->second ? std::to_string(*known->second) : "none"));
        }
    }
    for (const auto& [staff_no, card] : model_.people) {
        if (!held.contains(staff_no)) {
            findings_->fail(people_known, "person " + staff_no, "the store has no such person; they were onboarded");
        }
    }
}

void CrashRun::check_counts() {
    const json answer = call("status", json::object());
    const json& counted = answer.at("arguments").at("cards");
    for (const auto& [state, count] : model_.counts()) {
        const std::string name(to_string(state));
        const int held = counted.value(name, 0);
        if (held != count) {
            findings_->fail(
                cards_counted, name + " cards",
                "the store counts " + std::to_string(held) + ", the operations made " + std::to_string(count));
        }
    }
}

void CrashRun::learn_chips() {
    for (auto& [uid, chip] : model_.chips) {
        const json& read = reads_[uid];
        // A chip that cannot be read cannot pay either.
        if (read.value("result", -1) != 0) {
            chip.balance = 0;
            continue;
        }
        const json& seen = read.at("arguments");
        chip.balance = seen.contains("on_card") ? seen.at("on_card").at("balance").get<Cents>() : 0;
    }
}

}  // namespace cardd::reliability
