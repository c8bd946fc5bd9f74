#pragma once
// The catalogue of log messages, the one source for them: each id with the
// level it is always logged at, what it means, and what an operator should
// do. `cardd --messages` prints it and the table of docs/log-messages.md is
// generated from it (`cardd --messages=markdown`); a test keeps the two equal.

#include <span>
#include <string>
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

struct Message {
    std::string_view id;
    /// The journal's MESSAGE_ID=: 128 bits as 32 lowercase hex digits, made
    /// once at random for this message (as systemd's own catalogue does) and
    /// never changed, so `journalctl MESSAGE_ID=...` finds it in every version.
    std::string_view message_id;
    Level level;
    std::string_view meaning;
    std::string_view action;  ///< what to do; empty when nothing is needed
};

namespace msg {
inline constexpr Message started{"CARDD_STARTED", "97948c9d9c1b443db9d8c20047036d6b", Level::info,
                                 "cardd is serving its control socket", ""};
inline constexpr Message stopping{"CARDD_STOPPING", "6819960b267a44e4b60a9a6080c1a3b6", Level::info,
                                  "SIGTERM or SIGINT received; shutting down", ""};
inline constexpr Message reloaded{"CARDD_CONFIG_RELOADED", "bfd75609b29649a5a37d76138199c8a2", Level::info,
                                  "SIGHUP: cardd.conf read again; the log level, the role groups and the console's "
                                  "settings now apply",
                                  "settings such as the database or socket need a restart"};
inline constexpr Message reload_failed{"CARDD_CONFIG_RELOAD_FAILED", "2d44fa96aa1c4565a5e7e6fdb2cbbdde", Level::error,
                                       "SIGHUP: cardd.conf has an error; the old settings stay",
                                       "fix the file, send SIGHUP again"};
inline constexpr Message store_opened{"CARDD_STORE_OPENED", "4cafe29011d34157909e11c99bc0015f", Level::info,
                                      "the database is open and migrated to the schema version shown", ""};
inline constexpr Message store_unreachable{
    "CARDD_STORE_UNREACHABLE", "7c9601d1611f4c19a94c68517ec1fc66", Level::error,
    "the MariaDB server stopped answering (restarted, crashed, network cut); logged once when cardd finds the session "
    "lost. Every request that needs the database fails until it is back, saying so; a card write in flight stays "
    "pending",
    "bring the database back; cardd connects again by itself at the next request, no restart needed (docs/store.md, "
    "\"When the database is away\")"};
inline constexpr Message store_reconnected{
    "CARDD_STORE_RECONNECTED", "a83bea4160a74cf78ab7f2139b230519", Level::info,
    "cardd made a new session with the database server after losing it; requests work again",
    "`cardctl pending` lists card writes the outage left open: place those cards on an encoder"};
inline constexpr Message store_backup{"CARDD_STORE_BACKUP", "8168eba9d2f64a85aec299aa1332494d", Level::info,
                                      "a backup of the SQLite store was written (cardctl backup) and checked: "
                                      "SQLite's integrity check and the store's invariants hold in the copy",
                                      ""};
inline constexpr Message store_backup_failed{
    "CARDD_STORE_BACKUP_FAILED", "60998cb101e34131bd6de8cde490603a", Level::warn,
    "a backup of the SQLite store failed, or the copy failed its check; the store itself is unchanged",
    "read the error: an unwritable directory or a full disk there; a copy that fails its check is kept for "
    "inspection but must not be restored"};
inline constexpr Message command_denied{"CARDD_COMMAND_DENIED", "211636be8fad4575b6f9dd6dee7418e3", Level::warn,
                                        "a caller asked for a command its role does not allow",
                                        "add the user to the right group, or ask an administrator"};
inline constexpr Message command_failed{"CARDD_COMMAND_FAILED", "4a124bad348940368d38f1c5a67ee7e8", Level::error,
                                        "a command failed unexpectedly; the caller got the reason",
                                        "look at the error text; a database error may need attention"};
inline constexpr Message command_done{"CARDD_COMMAND", "b1c9e4ca2ad44273b485abe06c9bf6fd", Level::info,
                                      "a command that changes state was executed", ""};
inline constexpr Message client_dropped{"CARDD_CLIENT_DROPPED", "8900307f0b6643ff86dd336483f8aab9", Level::info,
                                        "a control connection was closed: its line passed 1 MiB, it sent no complete "
                                        "line for 30 s, or the kernel could not say who it is (SO_PEERCRED)",
                                        ""};
inline constexpr Message push_ok{"CARDD_PUSH_OK", "ede5db48990f4b9dbc5b367bd4148f43", Level::info,
                                 "a terminal now enforces the blacklist the store planned for it", ""};
inline constexpr Message push_failed{
    "CARDD_PUSH_FAILED", "8c5f1b5fe80841f4b8b553d813c02591", Level::warn,
    "a terminal could not be brought level; it is in the retry queue (`cardctl failed`)",
    "check the terminal's power, cable or network; `cardctl resync --failed` retries at once"};
inline constexpr Message full_sync{"CARDD_FULL_SYNC", "fb8d49b2c1a545f68bd2e89f8dd7967c", Level::info,
                                   "a terminal's blacklist is being replaced whole: its version was unknown, it was "
                                   "far behind, or its checksum disagreed",
                                   "nothing, unless it repeats for one terminal"};
inline constexpr Message retry_scheduled{
    "CARDD_RETRY_SCHEDULED", "36759e2c042547b49428d3d15ec4eb19", Level::info,
    "a failed terminal will be tried again in the time shown (exponential backoff with jitter, capped)", ""};
inline constexpr Message collect_ok{"CARDD_COLLECT_OK", "8b05405cdc3e473cb2f25c84cdaa6e92", Level::info,
                                    "transaction records were stored and acknowledged", ""};
inline constexpr Message collect_failed{"CARDD_COLLECT_FAILED", "d148d37baaae473aac30b9f50fdd149e", Level::warn,
                                        "records could not be collected from a terminal; they stay on it",
                                        "check the terminal; the next collection reads them"};
inline constexpr Message master_key_created{
    "CARDD_MASTER_KEY_CREATED", "231db6715c4d42ae8b14f20740f1e90e", Level::warn,
    "no master key file existed, so 16 random bytes were written to the path shown (mode 0600)",
    "back the file up somewhere safe now: without it no card written from now on can be read or changed"};
inline constexpr Message card_intent_opened{"CARDD_CARD_INTENT_OPENED", "63da81ade3b34f76b124fcef86cd17c1", Level::info,
                                            "a card write's intent was committed to the journal (write id, kind, card, "
                                            "chip, encoder); the card is being written",
                                            ""};
inline constexpr Message card_written{"CARDD_CARD_WRITTEN", "15e6f47d1e3644828277016eda297c8f", Level::info,
                                      "a card on an encoder was written and read back, and its store change applied "
                                      "(issue, top-up, replacement, close, return, initialisation)",
                                      ""};
inline constexpr Message card_write_failed{
    "CARDD_CARD_WRITE_FAILED", "10d71a5b54cf4863a4c24f7bac0b209f", Level::warn,
    "a card write failed (card taken away, wrong key, card refused); when the card is still on the encoder it is read "
    "at once to see whether any of the write reached it",
    "place the card again and repeat; `cardctl card read` shows what the card holds"};
inline constexpr Message card_write_pending{
    "CARDD_CARD_WRITE_PENDING", "1d718286c4c544a9be8f1b68d9153e10", Level::warn,
    "a card write is unresolved: the card left in the middle of it, the database could not record it, or cardd stopped "
    "with it open (logged for each open write at start). Its store change is not counted in any balance, and the card "
    "accepts no other write until it is settled",
    "place the card on an encoder (`cardctl card read`, or any card command): the card's counter and sectors decide. "
    "`cardctl pending` lists the open writes with their age; a card spent at terminals since is settled when its "
    "records are collected"};
inline constexpr Message card_write_settled{
    "CARDD_CARD_WRITE_SETTLED", "9ccdcc9401684ac7ba7d9a97d2f32df9", Level::info,
    "an unresolved card write was settled: the card held the write (its store change is applied, a torn write was "
    "finished first) or held what it had before (the intent is dropped)",
    ""};
inline constexpr Message collect_not_stored{"CARDD_COLLECT_NOT_STORED", "b96a3c18723543b08b7d4e2dce039577",
                                            Level::error,
                                            "records read from a terminal could not be stored (the database failed); "
                                            "they were not acknowledged and stay on the terminal",
                                            "see why the database failed (`CARDD_STORE_UNREACHABLE`, a full disk); the "
                                            "next collection reads them again, and each is counted once"};
inline constexpr Message card_apply_failed{
    "CARDD_CARD_APPLY_FAILED", "6ac87cdfab844f7f8230c09b969b140b", Level::error,
    "a card was written and read back, but the database could not record its change; the write stays pending (`cardctl "
    "pending`) and counts in no balance",
    "once the database works again, place the card on an encoder (`cardctl card read`): the write is settled from the "
    "card"};
inline constexpr Message card_wait_cancelled{
    "CARDD_CARD_WAIT_CANCELLED", "96ee075feebd9e46154592d29947bc2a", Level::info,
    "a workflow's wait for a card on the encoder named was cancelled (encoder-cancel, the console's Cancel); nothing "
    "was written",
    ""};
inline constexpr Message encoder_shelf_unreadable{
    "CARDD_ENCODER_SHELF_UNREADABLE", "9fcc7a94d2364fcfab1206ae2f3f66b9", Level::warn,
    "the simulated encoder's virtual cards could not be read (a card file in its directory, or the single file of "
    "an earlier release being moved in); the simulator starts with none",
    "move aside or restore the file the error names (the directory is DATA_DIR/encoder-NAME.cards.d)"};
inline constexpr Message terminal_wrong_serial{
    "CARDD_TERMINAL_WRONG_SERIAL", "e97d0666ecdc47cfb54d826a5f98f926", Level::warn,
    "another terminal answers at a terminal's address: its serial is not the one on record; nothing is written to it, "
    "it is in the retry queue",
    "check the cables (two terminals swapped?); if the terminal was replaced, `cardctl device accept-serial NAME`"};
inline constexpr Message terminal_serial_accepted{
    "CARDD_TERMINAL_SERIAL_ACCEPTED", "c7c5b3d66d12467c8a736924fe625703", Level::info,
    "a terminal's serial on record was forgotten (`device accept-serial`): the terminal at its address is taken as a "
    "new one, its records read from its oldest and its blacklist brought level",
    ""};
inline constexpr Message push_not_recorded{
    "CARDD_PUSH_NOT_RECORDED", "491816a209a34960967cc020ee0bab6f", Level::error,
    "a terminal was reached, but the database could not record what it confirmed or why it failed",
    "see why the database failed (`CARDD_STORE_UNREACHABLE`, a full disk); the next audit reads the terminal again and "
    "records it"};
inline constexpr Message metrics_serving{
    "CARDD_METRICS_SERVING", "28c9b7ceb9dc4eaea7b145eab08222a5", Level::info,
    "the Prometheus endpoint is serving GET /metrics on the address named (metrics_listen in cardd.conf)", ""};

inline constexpr Message loss_reported{"CARDD_LOSS_REPORTED", "8c98f6ea9b88496faa79bbecc3d2eb14", Level::info,
                                       "a card was reported lost (card, the uid that reported it, where it is pushed, "
                                       "why: lost, damaged, expired or other); a report of several cards logs one line "
                                       "each, and their one push follows as CARDD_PUSH_DONE",
                                       ""};
inline constexpr Message push_done{"CARDD_PUSH_DONE", "f599e6e7b84e4a54a72f16f4c1deb19c", Level::info,
                                   "a push to terminals ended: ok of total terminals now enforce the blacklist, the "
                                   "failed ones are in the retry queue (each named in a CARDD_PUSH_FAILED line)",
                                   "when failed is not 0: `cardctl failed` lists them and why"};
inline constexpr Message resync_done{"CARDD_RESYNC_DONE", "a8fd0cddfda24a8aa4ba9b4047a03b5a", Level::info,
                                     "a resync asked for by an operator ended: level of total terminals are level",
                                     "when failed is not 0: `cardctl failed` lists them and why"};

inline constexpr Message console_login{
    "CARDD_CONSOLE_LOGIN", "a3c98c44685045e079bdac2bb03782b3", Level::info,
    "an account logged in to the staff console (its name and role); the session's token is never logged", ""};
inline constexpr Message console_login_refused{
    "CARDD_CONSOLE_LOGIN_REFUSED", "99c1c128da6fcf100e066030c1026186", Level::warn,
    "a console login was refused: a wrong password (counted: failed_logins), a name with no account, or a disabled "
    "account (reason); the password is never logged",
    "many in a row for one name, or for names that do not exist, are someone guessing: look at who uses the console"};
inline constexpr Message console_account_locked{
    "CARDD_CONSOLE_ACCOUNT_LOCKED", "d5a2bea7a61bf60e9224bc8e4a5a131f", Level::warn,
    "wrong passwords in a row (console_lockout_failures) locked a console account until locked_until; until then "
    "even the right password is refused",
    "if the account's owner made the mistakes, an administrator unlocks it with `cardctl account passwd NAME`"};
inline constexpr Message console_login_locked{
    "CARDD_CONSOLE_LOGIN_LOCKED", "2cd0552b3f001cc1701a1abb3769f080", Level::warn,
    "a login to a locked console account was refused, its password not even checked", ""};
inline constexpr Message console_logout{"CARDD_CONSOLE_LOGOUT", "98f08daf5f05949a6ec62443908bcfc8", Level::info,
                                        "a console account logged out: its session is ended", ""};
inline constexpr Message console_session_expired{
    "CARDD_CONSOLE_SESSION_EXPIRED", "87efa2be94aca4cb2f4dce383edea0d1", Level::info,
    "a console session ended by itself: idle for console_session_idle_s, 12 hours after its login (lifetime), or "
    "its account disabled, removed or given a new password meanwhile (account-changed); the console must log in "
    "again",
    ""};
inline constexpr Message console_sessions_ended{
    "CARDD_CONSOLE_SESSIONS_ENDED", "782e94c4493043027f1e768886f93df5", Level::info,
    "an administrator disabled or removed a console account or set its password: its open sessions were ended", ""};
inline constexpr Message console_session_foreign{
    "CARDD_CONSOLE_SESSION_FOREIGN", "b56ef5c3fde89e04c86b41e59f827c43", Level::warn,
    "a request carried a console session but came from another uid than the console's user: refused, since a "
    "session is good only from the console",
    "someone may have taken a session token from the console: find who runs as that uid"};

inline constexpr Message console_none{
    "CARDD_CONSOLE_NONE", "9214e039d090c9baaea6f1ce6442551b", Level::info,
    "console_user in cardd.conf names no user of this machine (or root): no staff console can log in; cardctl and "
    "the role groups work as before",
    "to use the console, create its user (the package's cardd.sysusers makes cardd-console) and reload cardd"};

inline constexpr Message leases_changed{
    "CARDD_LEASES_CHANGED", "35d55d23abbd4a7795fa51142be024ee", Level::info,
    "the terminals this instance drives changed at a lease round (docs/scale.md): it claimed some (free, handed "
    "back by another instance or expired) or gave some up (above its share, or taken over after its own lease "
    "lapsed); held is how many it drives now, of instances alive",
    ""};
inline constexpr Message lease_round_failed{
    "CARDD_LEASE_ROUND_FAILED", "c5fffb3d4bf54bc88ec37f982645f035", Level::warn,
    "a lease round could not be run (the database failed or refused it): the leases are not renewed, and once "
    "they lapse the other instances take the terminals over, this one's writes about them refused",
    "see why the database failed (`CARDD_STORE_UNREACHABLE`); the next round, a third of lease_time_ms later, "
    "tries again"};

inline constexpr const Message* catalogue[] = {&started,
                                               &stopping,
                                               &reloaded,
                                               &reload_failed,
                                               &store_opened,
                                               &store_unreachable,
                                               &store_reconnected,
                                               &store_backup,
                                               &store_backup_failed,
                                               &command_denied,
                                               &command_failed,
                                               &command_done,
                                               &client_dropped,
                                               &push_ok,
                                               &push_failed,
                                               &full_sync,
                                               &retry_scheduled,
                                               &collect_ok,
                                               &collect_failed,
                                               &master_key_created,
                                               &card_intent_opened,
                                               &card_written,
                                               &card_write_failed,
                                               &card_write_pending,
                                               &card_write_settled,
                                               &collect_not_stored,
                                               &card_apply_failed,
                                               &card_wait_cancelled,
                                               &encoder_shelf_unreadable,
                                               &push_not_recorded,
                                               &terminal_wrong_serial,
                                               &terminal_serial_accepted,
                                               &loss_reported,
                                               &push_done,
                                               &resync_done,
                                               &metrics_serving,
                                               &console_login,
                                               &console_login_refused,
                                               &console_account_locked,
                                               &console_login_locked,
                                               &console_logout,
                                               &console_session_expired,
                                               &console_sessions_ended,
                                               &console_session_foreign,
                                               &console_none,
                                               &leases_changed,
                                               &lease_round_failed};
}  // namespace msg

/// The table of docs/log-messages.md, header included.
std::string catalogue_markdown();

}  // namespace cardd::daemon
