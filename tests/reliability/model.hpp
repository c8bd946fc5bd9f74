#pragma once
// What the card centre must hold, as the crash driver knows it: every
// operation whose success it saw, and every unanswered one once it is known
// to have happened. Pure bookkeeping, no I/O; the checks compare it, and the
// chips, with what cardd and the store say.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tests/reliability/operation.hpp"

namespace cardd::reliability {

/// One ledger line. `origin` names the operation that wrote it and is not
/// part of the comparison.
struct LedgerLine {
    std::string kind;
    Cents amount = 0;
    Cents cash = 0;
    std::string origin;

    bool same_as(const LedgerLine& other) const {
        return kind == other.kind && amount == other.amount && cash == other.cash;
    }
    /// "topup +12.00 (cash +12.00)"
    std::string describe() const;
};

enum class State { active, lost, replaced, returned };
std::string_view to_string(State state);
std::optional<State> state_from(std::string_view text);

struct ModelCard {
    CardNo card_no = 0;
    std::string staff_no;
    std::string uid;
    State state = State::active;
    /// What the store must hold once every tap is collected.
    std::vector<LedgerLine> ledger;
    /// Returned with wipe: its chip is blank.
    bool wiped = false;
    /// Refund-closed without being wiped (lost, or closed without the card):
    /// it still holds its money, so the store puts it on every blacklist.
    bool closed_unwiped = false;
    /// Replaced: the balance that left with it, which the lost chip still holds.
    Cents carried = 0;
    /// The last operation on it, for failure messages.
    std::string last_operation;

    Cents balance() const;
};

/// A chip the driver put on the encoder.
struct ModelChip {
    std::string uid;
    /// The card written on it; none for a blank whose issue never happened.
    std::optional<CardNo> card;
    /// What the chip holds as last read (then changed by top-ups and
    /// purchases): the driver spends no more than this.
    Cents balance = 0;
};

class Model {
public:
    std::map<std::string, std::optional<CardNo>> people;  ///< staff number → live card
    std::map<CardNo, ModelCard> cards;
    std::map<std::string, ModelChip> chips;
    /// Cards the driver stops using after a check found them wrong, so that
    /// one fault is not reported again through every later operation.
    std::set<CardNo> retired;

    /// A new staff number and card number, never handed out before.
    std::string next_staff_no();
    CardNo next_card_no();

    /// A new blank chip on the encoder.
    void blank_placed(const std::string& uid);

    // Each operation's effect once it happened; `origin` names it in ledger lines.
    void issued(const Operation& op, const std::string& origin);
    void topped_up(const Operation& op, const std::string& origin);
    void refund_closed(const Operation& op, const std::string& origin);
    void lost(const Operation& op);
    void unlocked(const Operation& op);
    void replaced(const Operation& op, const std::string& origin);
    void returned_wiped(const Operation& op, const std::string& origin);
    void tapped(const Operation& op, const std::string& origin);
    /// Applies whichever of the above `op` is (collection changes nothing here).
    void happened(const Operation& op, const std::string& origin);

    /// Cards in `state` that the driver may still use.
    std::vector<CardNo> usable(State state) const;
    /// What every terminal must refuse: lost and replaced cards, and cards
    /// refund-closed while lost. Every loss and unlock is pushed to all.
    std::set<CardNo> blacklist() const;
    /// The number of cards in each state, as cardd's status counts them.
    std::map<State, int> counts() const;

private:
    int people_made_ = 0;
    CardNo next_card_ = 1001;
};

}  // namespace cardd::reliability
