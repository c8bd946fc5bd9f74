#include "tests/reliability/run_settings.hpp"

#include <charconv>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string_view>

namespace cardd::reliability {

namespace {

template <class T>
T number_from(const char* name, std::string_view text, T least, T most) {
    T value{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || value < least || value > most) {
        throw std::invalid_argument(std::string(name) + " must be a whole number from " + std::to_string(least) +
                                    " to " + std::to_string(most) + ", not '" + std::string(text) + "'");
    }
    return value;
}

}  // namespace

RunSettings run_settings_from_environment() {
    RunSettings settings;
    if (const char* seed = std::getenv("CARDD_CRASH_SEED"); seed != nullptr && *seed != '\0') {
        settings.seed = number_from<std::uint64_t>("CARDD_CRASH_SEED", seed, 0, UINT64_MAX);
    } else {
        std::random_device device;
        settings.seed = (std::uint64_t{device()} << 32 | device()) % 1'000'000'000;
    }
    settings.kills = default_kills;
    if (const char* kills = std::getenv("CARDD_CRASH_KILLS"); kills != nullptr && *kills != '\0') {
        settings.kills = number_from<int>("CARDD_CRASH_KILLS", kills, 0, 100000);
    }
    return settings;
}

std::string describe(const RunSettings& settings) {
    const std::string seed = std::to_string(settings.seed);
    const std::string kills = std::to_string(settings.kills);
    return "seed " + seed + ", " + kills + " kills (CARDD_CRASH_SEED=" + seed + " CARDD_CRASH_KILLS=" + kills +
           " replays it)";
}

}  // namespace cardd::reliability
