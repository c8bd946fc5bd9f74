#pragma once
// Structured log lines: a stable message id an operator can grep, then
// key=value pairs. Every id is explained in docs/log-messages.md.

#include <spdlog/spdlog.h>

#include <string_view>

namespace cardd::daemon {

enum class Level { debug, info, warn, error };

/// As docs/log-messages.md writes it.
constexpr std::string_view level_name(Level level) noexcept {
    switch (level) {
        case Level::debug: return "debug";
        case Level::info: return "info";
        case Level::warn: return "warn";
        case Level::error: return "error";
    }
    return "?";
}

/// One entry of the catalogue: the id, the level it is always logged at,
/// and what it means (also printed by `cardd --messages`). The table in
/// docs/log-messages.md explains each and is checked against this one.
struct Message {
    std::string_view id;
    Level level;
    std::string_view meaning;
};

namespace msg {
inline constexpr Message started{"CARDD_STARTED", Level::info, "cardd is serving its control socket"};
inline constexpr Message stopping{"CARDD_STOPPING", Level::info, "cardd received SIGTERM or SIGINT and is shutting down"};
inline constexpr Message reloaded{"CARDD_CONFIG_RELOADED", Level::info, "SIGHUP: cardd.conf was read again"};
inline constexpr Message reload_failed{"CARDD_CONFIG_RELOAD_FAILED", Level::error, "SIGHUP: cardd.conf has an error; the old settings stay"};
inline constexpr Message store_opened{"CARDD_STORE_OPENED", Level::info, "the database is open and migrated"};
inline constexpr Message store_unreachable{"CARDD_STORE_UNREACHABLE", Level::error, "the database server stopped answering; requests fail until cardd reconnects"};
inline constexpr Message store_reconnected{"CARDD_STORE_RECONNECTED", Level::info, "cardd connected to the database server again after losing it"};
inline constexpr Message command_denied{"CARDD_COMMAND_DENIED", Level::warn, "a caller asked for a command its role does not allow"};
inline constexpr Message command_failed{"CARDD_COMMAND_FAILED", Level::error, "a command failed unexpectedly; the answer says why"};
inline constexpr Message command_done{"CARDD_COMMAND", Level::info, "a command that changes state was executed"};
inline constexpr Message client_dropped{"CARDD_CLIENT_DROPPED", Level::info, "a control connection was closed: line too long or idle"};
inline constexpr Message push_ok{"CARDD_PUSH_OK", Level::info, "a terminal now enforces the blacklist the store planned for it"};
inline constexpr Message push_failed{"CARDD_PUSH_FAILED", Level::warn, "a terminal could not be brought level; it is in the retry queue"};
inline constexpr Message full_sync{"CARDD_FULL_SYNC", Level::info, "a terminal's blacklist is being replaced whole (unknown version or checksum)"};
inline constexpr Message retry_scheduled{"CARDD_RETRY_SCHEDULED", Level::info, "a failed terminal will be tried again at the time given"};
inline constexpr Message collect_ok{"CARDD_COLLECT_OK", Level::info, "transaction records were stored and acknowledged"};
inline constexpr Message collect_failed{"CARDD_COLLECT_FAILED", Level::warn, "records could not be collected from a terminal"};
inline constexpr Message master_key_created{"CARDD_MASTER_KEY_CREATED", Level::warn, "no master key existed, so a new random one was written"};
inline constexpr Message card_intent_opened{"CARDD_CARD_INTENT_OPENED", Level::info, "a card write's intent was committed; the card is being written"};
inline constexpr Message card_written{"CARDD_CARD_WRITTEN", Level::info, "a card on an encoder was written and read back, and its store change applied"};
inline constexpr Message card_write_failed{"CARDD_CARD_WRITE_FAILED", Level::warn, "a card write did not reach the card; the store was left as it was"};
inline constexpr Message card_write_pending{"CARDD_CARD_WRITE_PENDING", Level::warn, "a card write is unresolved: the card left in the middle of it, or cardd stopped; it is settled when the card is seen again"};
inline constexpr Message card_write_settled{"CARDD_CARD_WRITE_SETTLED", Level::info, "an unresolved card write was settled from the card or from a terminal record"};
inline constexpr Message collect_not_stored{"CARDD_COLLECT_NOT_STORED", Level::error, "records read from a terminal could not be stored; they stay on it, unacknowledged"};
inline constexpr Message card_apply_failed{"CARDD_CARD_APPLY_FAILED", Level::error, "a card was written but the store could not record its change; the write stays pending"};
inline constexpr Message encoder_shelf_unreadable{"CARDD_ENCODER_SHELF_UNREADABLE", Level::warn, "the simulated encoder's card file could not be read; it starts empty"};

inline constexpr const Message* catalogue[] = {&started,        &stopping,        &reloaded,   &reload_failed,
                                               &store_opened,   &store_unreachable, &store_reconnected, &command_denied,  &command_failed, &command_done,
                                               &client_dropped, &push_ok,         &push_failed, &full_sync,
                                               &retry_scheduled, &collect_ok,     &collect_failed, &master_key_created,
                                               &card_intent_opened, &card_written, &card_write_failed, &card_write_pending, &card_write_settled,
                                               &collect_not_stored, &card_apply_failed,
                                               &encoder_shelf_unreadable};
}  // namespace msg

template <class... Args>
void log_event(const Message& message, fmt::format_string<Args...> format, Args&&... args) {
    const auto spd = message.level == Level::debug  ? spdlog::level::debug
                     : message.level == Level::info ? spdlog::level::info
                     : message.level == Level::warn ? spdlog::level::warn
                                                    : spdlog::level::err;
    if (!spdlog::should_log(spd)) return;
    spdlog::log(spd, "{} {}", message.id, fmt::format(format, std::forward<Args>(args)...));
}

/// Sets up logging: the journal when running under systemd, stderr otherwise.
void setup_logging(std::string_view level, bool journal);

}  // namespace cardd::daemon
