// Fuzzes cardd.conf's reader: whatever the text, a configuration or one
// refusal naming the file comes out, never an exception; a configuration
// read keeps every setting within the bounds the reader states.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/config.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using cardd::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto config = cardd::daemon::parse_config_text(text, "fuzz.conf", cardd::daemon::Config{});
    if (!config) {
        require(config.error().message.starts_with("fuzz.conf"), "a refusal that does not name the file");
        return 0;
    }
    require(config->worker_threads >= 1 && config->worker_threads <= 1024, "worker_threads out of bounds");
    require(config->max_terminal_connections >= config->worker_threads && config->max_terminal_connections <= 1000,
            "max_terminal_connections out of bounds");
    require(config->card_valid_years >= 1 && config->card_valid_years <= 100, "card_valid_years out of bounds");
    require(config->console_lockout_failures >= 1 && config->console_lockout_failures <= 100,
            "console_lockout_failures out of bounds");
    require(config->modbus_timeout.count() >= 0 && config->push_timeout.count() >= 0, "a negative timeout");
    require(!config->data_dir.empty() && !config->socket.empty(), "an empty path");
    return 0;
}
