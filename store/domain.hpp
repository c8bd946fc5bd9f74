#pragma once
// The card centre's domain values, as the store hands them out.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "store/error.hpp"

namespace cardd::store {

using Cents = std::int64_t;
using CardNo = std::int64_t;
using UnixTime = std::int64_t;
using DeviceId = std::int64_t;

/// Who asked: the caller's uid as the control socket saw it (SO_PEERCRED),
/// and for a request through the staff console, the account logged in there
/// (the uid is then the console's own).
struct Actor {
    // A constructor, not an aggregate: Actor{uid} stays the caller of the
    // socket alone, without a warning for the account it leaves out.
    explicit Actor(std::int64_t caller_uid = 0, std::optional<std::string> console_account = std::nullopt)
        : uid(caller_uid), account(std::move(console_account)) {}

    std::int64_t uid = 0;
    std::optional<std::string> account;

    /// How the request came, as the audit log records it: "console" or "socket".
    std::string_view via() const noexcept { return account ? "console" : "socket"; }
};

/// The highest balance a card can hold: the MIFARE value block is a signed 32-bit number.
inline constexpr Cents max_card_balance = 2'147'483'647;

struct CardFormat {
    std::string card_type = "IC card";
    std::string format = "standard consumption IC card";
    int sector = 1;               ///< 1 to 15
    int card_no_digits = 6;       ///< 1 to 6
    CardNo max_card_no = 500000;  ///< 1 to 500000, and no more digits than card_no_digits
};

struct PersonInput {
    std::string staff_no;  ///< 工号
    std::string name;
    std::string department;
};

struct Person {
    std::int64_t id = 0;
    std::string staff_no;
    std::string name;
    std::string department;
    std::optional<CardNo> card_no;  ///< the person's active or lost card, if any
    UnixTime created_at = 0;
};

enum class CardState { active, lost, replaced, returned };
std::string_view to_string(CardState state) noexcept;

struct Card {
    CardNo card_no = 0;
    std::int64_t serial = 0;  ///< 流水号, assigned by the store, never reused
    std::string staff_no;
    std::string name;
    std::string department;
    std::optional<std::string> uid;  ///< the chip's UID, hex, once an encoder wrote the card
    CardState state = CardState::active;
    UnixTime issued_at = 0;
    std::optional<UnixTime> closed_at;  ///< when it was replaced or returned
    std::optional<CardNo> replaced_by;
    std::optional<CardNo> replaces;
    Cents balance = 0;  ///< derived from the ledger, never stored
};

struct IssueOptions {
    Cents opening = 0;  ///< cash put on the card at issue
    Cents cost = 0;     ///< card cost taken in cash; not on the card
    std::optional<std::string> uid;
};

/// A person's live (active or lost) card as a list of people shows it.
struct LiveCard {
    CardNo card_no = 0;
    std::int64_t serial = 0;
    CardState state = CardState::active;
    Cents balance = 0;
};

/// A person a search found, with their live card, if any.
struct PersonMatch {
    Person person;
    std::optional<LiveCard> card;
};

/// Which people a search finds, and which page of them.
struct PersonQuery {
    /// Found in the name, staff number or department (ASCII letters in any
    /// case, other text as given); empty finds everyone.
    std::string text;
    std::optional<std::string> department;  ///< only people of exactly this department
    std::int64_t offset = 0;                ///< matches skipped, in staff number order
    std::int64_t limit = 50;                ///< matches given at most
};

/// One page of a search, and how many people match in all.
struct PersonPage {
    std::vector<PersonMatch> people;
    std::int64_t total = 0;
};

/// A department and how many people it has.
struct Department {
    std::string name;
    std::int64_t people = 0;
};

enum class LedgerKind { opening, card_cost, topup, refund, purchase, terminal_refund, carry_out, carry_in, write_off };
std::string_view to_string(LedgerKind kind) noexcept;

/// One ledger line. `amount` changes the card's purse; `cash` is money taken in
/// (+) or paid out (-) at the counter. A balance is the sum of `amount`.
struct LedgerEntry {
    std::int64_t id = 0;
    CardNo card_no = 0;
    LedgerKind kind = LedgerKind::topup;
    Cents amount = 0;
    Cents cash = 0;
    UnixTime at = 0;
    /// Who made it, for lines an administrator decides (a write-off).
    std::optional<std::int64_t> by_uid;
};

/// Which terminals a loss or an unlock is pushed to.
struct PushTarget {
    enum class Scope { none, all, named };
    Scope scope = Scope::none;
    std::vector<std::string> terminals;  ///< names, with Scope::named

    static PushTarget none() { return {}; }
    static PushTarget all() { return {Scope::all, {}}; }
    static PushTarget named(std::vector<std::string> names) { return {Scope::named, std::move(names)}; }
};
std::string_view to_string(PushTarget::Scope scope) noexcept;

/// Why a card was reported lost (the seed's 遗失、损坏、到期, or another reason).
enum class LossReason { lost, damaged, expired, other };
std::string_view to_string(LossReason reason) noexcept;
inline constexpr LossReason loss_reasons[] = {LossReason::lost, LossReason::damaged, LossReason::expired,
                                              LossReason::other};

struct Loss {
    std::int64_t id = 0;
    CardNo card_no = 0;
    std::int64_t card_serial = 0;
    std::string staff_no;
    std::string name;
    UnixTime reported_at = 0;
    std::int64_t reported_by = 0;
    PushTarget::Scope push = PushTarget::Scope::none;
    std::vector<std::string> terminals;
    LossReason reason = LossReason::lost;
    std::optional<UnixTime> unlocked_at;
    std::optional<std::int64_t> unlocked_by;
    std::optional<PushTarget::Scope> unlock_push;
};

/// A loss report of one card or several, done for all of them or for none.
struct LossReport {
    std::vector<CardNo> cards;  ///< distinct
    PushTarget push;
    LossReason reason = LossReason::lost;
};

/// A card a change of several cards refused, and why; nothing was changed.
struct CardRefusal {
    CardNo card_no = 0;
    Errc code = Errc::conflict;
    std::string text;
};

struct LossQuery {
    std::optional<UnixTime> from;  ///< reported at or after
    std::optional<UnixTime> to;    ///< reported at or before
    std::optional<std::int64_t> card_serial;
    bool open_only = false;  ///< only losses not yet unlocked
};

struct TcpAddress {
    std::string host;
    int port = 502;
};

struct RtuAddress {
    std::string device;
    int baud = 19200;
    char parity = 'E';  ///< 'E', 'N' or 'O'
};

struct TerminalSpec {
    std::string name;
    std::variant<TcpAddress, RtuAddress> address;
    int unit_id = 1;
};

struct EncoderSpec {
    std::string name;
    bool simulated = false;
    std::uint16_t vendor_id = 0;
    std::uint16_t product_id = 0;
};

enum class DeviceKind { terminal, encoder };

struct Device {
    DeviceId id = 0;
    std::string name;
    DeviceKind kind = DeviceKind::terminal;
    std::optional<TerminalSpec> terminal;
    std::optional<EncoderSpec> encoder;
    std::optional<std::uint32_t> terminal_serial;  ///< read from the terminal, once reached
    std::int64_t confirmed_version = 0;            ///< blacklist version the terminal confirmed
    std::int64_t planned_version = 0;              ///< version of the newest batch written for it
    std::int64_t records_next_seq = 0;             ///< next transaction record seq to collect
    UnixTime created_at = 0;
    // The retry queue: a terminal whose last attempt failed, and when to try again.
    std::int64_t sync_attempts = 0;
    std::optional<std::string> sync_error;
    std::optional<UnixTime> sync_failed_since;
    std::optional<UnixTime> sync_next_at;
    /// When records were last collected from it (none new, too), if ever.
    std::optional<UnixTime> last_collected_at;
};

enum class BatchOp { add, remove, full };
std::string_view to_string(BatchOp op) noexcept;

enum class BatchState { pending, confirmed, superseded };
std::string_view to_string(BatchState state) noexcept;

/// A blacklist change for one terminal, written before it is sent. A full
/// batch carries the whole set; its base version is meaningless.
struct BlacklistBatch {
    std::int64_t id = 0;
    DeviceId terminal_id = 0;
    std::int64_t base_version = 0;
    std::int64_t new_version = 0;
    BatchOp op = BatchOp::add;
    std::vector<CardNo> cards;
    UnixTime created_at = 0;
    BatchState state = BatchState::pending;
};

// The journal of card writes (see docs/card-writes.md). A card and the store
// are two places that must agree, and cardd can die between writing one and
// the other: so the intent of a card write is committed first, the card is
// written with no transaction open, and the store change is applied (or the
// intent dropped) in one transaction afterwards.

/// The workflow a card write belongs to; each stands for one store change.
enum class WriteKind { issue, onboard, topup, refund_close, card_return, replace, init };
std::string_view to_string(WriteKind kind) noexcept;

enum class IntentState { open, applied, dropped };
std::string_view to_string(IntentState state) noexcept;

/// What the card's sector holds, before or after the write: opaque to the
/// store (the daemon's card layout decides it) but for the balance and
/// counter, by which a terminal record can decide an intent.
struct CardContent {
    std::string keys;    ///< "transport" (a blank card) or "card" (this card centre's keys)
    std::string blocks;  ///< the sector's data blocks, hex
    std::optional<Cents> balance;
    std::optional<std::int64_t> counter;

    friend bool operator==(const CardContent&, const CardContent&) = default;
};

/// One card write: what is asked (the change's arguments), the card before
/// and after, and how it ended.
struct WriteIntent {
    std::int64_t id = 0;
    WriteKind kind = WriteKind::topup;
    IntentState state = IntentState::open;
    Actor actor;
    std::string uid;                    ///< the chip written
    CardNo card_no = 0;                 ///< the card written (the new one at issue and replacement); 0 at init
    std::optional<CardNo> old_card_no;  ///< replacement: the lost card
    PersonInput person;                 ///< issue: the holder (staff_no); onboarding: the new person
    std::int64_t serial = 0;            ///< a new card's serial, reserved when the intent opens
    Cents amount = 0;                   ///< top-up
    Cents opening = 0;
    Cents cost = 0;
    bool refund = false;     ///< return: the balance is paid out in cash
    bool write_off = false;  ///< a negative balance is written off (an administrator's decision)
    CardContent before;
    CardContent after;
    UnixTime created_at = 0;
    std::optional<UnixTime> closed_at;
    std::string resolution;  ///< how it was closed, in words
};

enum class RecordKind { purchase = 1, refund = 2, refused = 3 };

/// A transaction record as read from a terminal (CT-1, 12 registers).
struct TransactionRecord {
    std::uint32_t seq = 0;
    CardNo card_no = 0;
    std::int32_t amount = 0;  ///< positive: taken from the card; negative: put back
    std::uint32_t balance_after = 0;
    UnixTime time = 0;
    std::uint16_t counter = 0;
    RecordKind kind = RecordKind::purchase;
};

struct StoredRecord {
    std::uint32_t terminal_serial = 0;
    TransactionRecord record;
    std::optional<DeviceId> terminal_id;
    UnixTime collected_at = 0;
};

struct RecordsOutcome {
    std::size_t stored = 0;      ///< new records written
    std::size_t duplicates = 0;  ///< records already held, ignored
    std::size_t unmatched = 0;   ///< new records for card numbers the store does not know
    /// Card writes these records settled: the card's counter and balance, as
    /// the terminal read them, showed whether the write took place.
    std::vector<WriteIntent> settled;
};

/// Counts for cardctl status and the metrics, read with COUNT queries: no
/// card or person is loaded.
struct StoreCounts {
    std::int64_t people = 0;
    std::vector<std::pair<CardState, std::int64_t>> cards_by_state;  ///< states with no card left out
    /// Pending blacklist batches per terminal (terminals with none left out),
    /// with the creation time of the oldest.
    struct Pending {
        DeviceId terminal = 0;
        std::int64_t batches = 0;
        UnixTime oldest_at = 0;
    };
    std::vector<Pending> pending_batches;
    std::int64_t open_writes = 0;
    std::optional<UnixTime> oldest_open_write_at;
};

/// Which audit lines to read: each field given narrows the choice.
struct AuditQuery {
    std::optional<std::string> account;  ///< lines of this console account
    std::optional<std::int64_t> uid;     ///< lines of this uid
    std::optional<std::string> action;   ///< "card.topup", or a prefix ending in '.' ("card.")
    std::optional<UnixTime> from;        ///< at or after
    std::optional<UnixTime> to;          ///< at or before
    std::size_t limit = 100;             ///< the newest this many
};

struct AuditEntry {
    std::int64_t id = 0;
    UnixTime at = 0;
    std::int64_t uid = 0;
    std::string action;
    std::string detail;
    std::optional<std::string> account;  ///< the console account that acted, if any
    std::string via = "socket";          ///< "socket" or "console"
};

// Accounts of the staff console (docs/accounts.md). The store keeps them and
// their lockout; hashing passwords is the daemon's (the store sees only the
// encoded hash).

enum class AccountRole { viewer, issuer, admin };
std::string_view to_string(AccountRole role) noexcept;
/// "admin", "issuer" or "viewer"; anything else is none.
std::optional<AccountRole> account_role_from(std::string_view text) noexcept;

struct AccountInput {
    std::string name;  ///< 1 to 64 of A-Z a-z 0-9 . _ -, starting with a letter or digit
    AccountRole role = AccountRole::viewer;
    std::string password_hash;  ///< Argon2id's encoded string: $argon2id$v=19$m=...
};

struct Account {
    std::int64_t id = 0;
    std::string name;
    AccountRole role = AccountRole::viewer;
    std::string password_hash;
    bool disabled = false;
    std::int64_t failed_logins = 0;  ///< wrong passwords in a row since the last login or password change
    std::optional<UnixTime> locked_until;
    UnixTime created_at = 0;
    UnixTime password_changed_at = 0;
    std::optional<UnixTime> last_login_at;

    bool locked_at(UnixTime now) const noexcept { return locked_until && *locked_until > now; }
};

/// When wrong passwords lock an account, and for how long.
struct LockoutPolicy {
    std::int64_t failures = 5;  ///< wrong passwords in a row that lock it
    std::int64_t lock_s = 900;
};

/// How a login ended, as the store settled it.
struct LoginOutcome {
    enum class Result {
        ok,              ///< the count is reset and the login time set
        wrong_password,  ///< counted; `locked_now` when this one locked the account
        locked,          ///< refused whatever the password: locked until account.locked_until
        disabled,        ///< the password was right, but the account may not log in
    };
    Result result = Result::wrong_password;
    Account account;  ///< as the login leaves it
    bool locked_now = false;
};

/// A terminal seen enforcing its planned set, for CardStore::record_levels.
struct LevelReport {
    DeviceId terminal = 0;
    std::optional<std::int64_t> confirmed_version;  ///< unset: nothing new to confirm
};

/// One terminal leased to an instance: writes about the terminal carry the
/// generation and are refused once it is not the lease's (docs/scale.md).
struct Lease {
    DeviceId terminal = 0;
    std::int64_t generation = 0;
};

/// One instance's side of a lease round.
struct LeaseRequest {
    std::string owner;             ///< the instance's name, one per instance sharing the store
    std::int64_t duration_ms = 0;  ///< how long its leases and its heartbeat last, in the database's clock
    /// Serial devices wired to the instance's host: the terminals on them
    /// are leased to it alone, whatever the share. Others' it never claims.
    std::vector<std::string> buses;
};

/// What a lease round left the instance holding.
struct LeaseRound {
    std::vector<Lease> held;       ///< every lease it holds now, by terminal
    std::int64_t instances = 0;    ///< instances alive, this one too
    std::int64_t share = 0;        ///< TCP terminals it may hold: its fair share
    std::int64_t handed_back = 0;  ///< leases above its share given up in this round
};

/// A terminal's lease as anyone may see it.
struct LeaseView {
    DeviceId terminal = 0;
    std::string name;
    std::optional<std::string> owner;  ///< unset: free
    std::int64_t generation = 0;
    std::int64_t expires_in_ms = 0;  ///< by the database's clock; 0 or less: expired
};

/// The cards on every terminal's blacklist, as of one generation of that list.
struct EverywhereList {
    std::int64_t generation = 0;
    std::shared_ptr<const std::vector<CardNo>> cards;  ///< ascending
};

/// Where one terminal's set differs from the list everywhere.
struct TerminalExceptions {
    std::vector<CardNo> plus;   ///< refused here, not listed everywhere; ascending
    std::vector<CardNo> minus;  ///< listed everywhere, not refused here; ascending
};

struct BlacklistChange {
    std::vector<BlacklistBatch> batches;  ///< one per terminal whose set changed
};

/// What applying an intent did in the store.
struct AppliedWrite {
    WriteIntent intent;
    std::optional<Card> card;  ///< the card as the change leaves it (none at init)
    Cents refunded = 0;        ///< cash paid out
    Cents written_off = 0;     ///< a negative balance brought to zero
    BlacklistChange change;    ///< the terminals whose blacklist changed (replacement)
};

}  // namespace cardd::store
