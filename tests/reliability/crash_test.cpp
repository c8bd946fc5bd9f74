// Money is never created or lost when cardd is killed: a seeded random mix
// of card-centre work and purchases, cardd killed at random moments and
// inside card writes, and after every restart each chip read and the whole
// card centre checked against the chips, the terminals and the client's
// view. The seed is printed first; CARDD_CRASH_SEED replays a run and
// CARDD_CRASH_KILLS sets the number of kills.

#include <iostream>

#include "tests/reliability/crash_fixture.hpp"

namespace cardd::reliability {
namespace {

// Of every five kills: two at a random moment of any request, two inside a
// card write by delay, one at the write's intent in the log.
Aim pick_aim(Choice& choice) {
    const auto draw = choice.between(1, 5);
    return draw <= 2 ? Aim::random_moment : draw <= 4 ? Aim::write_by_delay : Aim::intent_logged;
}

// A few operations run to their answer between two kills, so that kills hit
// a card centre in every kind of state.
constexpr int most_between_kills = 5;

TEST_P(CrashRun, moneyIsNeverCreatedNorLost) {
    try {
        open_canteen();
        read_every_chip();
        check_everything();
        for (kill_ = 1; kill_ <= settings_.kills; ++kill_) {
            findings_->round("the operations before kill " + std::to_string(kill_), nullptr);
            const auto before = choice_->between(0, most_between_kills);
            for (int i = 0; i < before; ++i) {
                if (auto op = choice_->next(model_, Mix::everything)) perform(*op);
            }
            const Aim aim = pick_aim(*choice_);
            auto op = choice_->next(model_, aim == Aim::random_moment ? Mix::one_request : Mix::card_writes);
            if (!op) op = choice_->of(model_, OpKind::collect);
            const Killed killed = perform_and_kill(*op, aim);
            const std::filesystem::path log = killed_log_;
            findings_->round(killed.describe(kill_, settings_.kills), [log] { return log_tail(log, 30); });
            read_every_chip();
            resolve(killed);
            check_everything();
        }
    } catch (const std::exception& error) {
        findings_->fatal(error.what());
    }
    std::cout << "crash run: " << settings_.kills << " kills, " << model_.cards.size() << " cards on "
              << model_.chips.size() << " chips, " << intent_hits_ << " of " << intent_aims_
              << " kills aimed at the intent id found it in the log; requests took " << timings_.describe() << "; "
              << findings_->distinct() << " distinct findings" << std::endl;
    findings_->summarise();
}

CARDD_E2E_BACKENDS(CrashRun);

}  // namespace
}  // namespace cardd::reliability
