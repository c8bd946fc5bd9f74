#include "daemon/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/systemd_sink.h>

namespace cardd::daemon {

void setup_logging(std::string_view level, bool journal) {
    std::shared_ptr<spdlog::logger> logger;
    if (journal) {
        logger = std::make_shared<spdlog::logger>("cardd", std::make_shared<spdlog::sinks::systemd_sink_mt>("cardd"));
        logger->set_pattern("%v");
    } else {
        logger = spdlog::stderr_color_mt("cardd");
        logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    }
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::from_str(std::string(level)));
    spdlog::flush_on(spdlog::level::info);
}

}  // namespace cardd::daemon
