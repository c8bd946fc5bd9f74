#pragma once
// How long a crash run is and which random choices it makes: the seed is
// printed first, so a failing run can be replayed with CARDD_CRASH_SEED,
// and CARDD_CRASH_KILLS sets how many times cardd is killed.

#include <cstdint>
#include <string>

namespace cardd::reliability {

struct RunSettings {
    std::uint64_t seed = 0;
    int kills = 0;
};

/// The number of kills when CARDD_CRASH_KILLS is not set: a run short enough
/// for every `make check`.
inline constexpr int default_kills = 8;

/// CARDD_CRASH_SEED (else a random one) and CARDD_CRASH_KILLS (else
/// default_kills). Throws std::invalid_argument for a value that is not a
/// number in range, rather than running something else than was asked.
RunSettings run_settings_from_environment();

/// "seed 123, 8 kills (CARDD_CRASH_SEED=123 CARDD_CRASH_KILLS=8 replays it)"
std::string describe(const RunSettings& settings);

}  // namespace cardd::reliability
