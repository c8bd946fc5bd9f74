#pragma once
// The card centre's rules over one SQL connection. Every method that changes
// state runs in one transaction and writes one audit line in it; a refused
// request changes nothing. No I/O but the database.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/domain.hpp"
#include "store/sql_connection.hpp"

namespace cardd::store {

/// Where timestamps come from; tests pass a fake.
using Clock = std::function<UnixTime()>;
UnixTime system_clock_now();

class CardStore {
public:
    /// Runs pending migrations; refuses a database written by a newer cardd.
    static Result<std::unique_ptr<CardStore>> open(std::unique_ptr<SqlConnection> connection,
                                                   Clock clock = system_clock_now);

    CardStore(const CardStore&) = delete;
    CardStore& operator=(const CardStore&) = delete;
    ~CardStore();

    Result<int> schema_version();

    // Card format (卡格式).
    Result<CardFormat> card_format();
    Result<CardFormat> set_card_format(const Actor& actor, const CardFormat& format);

    // People.
    Result<Person> add_person(const Actor& actor, const PersonInput& person);
    Result<Person> person(std::string_view staff_no);
    Result<std::vector<Person>> people();
    /// One page of the people a query finds, in staff number order, each
    /// with their live card, and how many it finds in all: two queries
    /// whatever the number of people.
    Result<PersonPage> search_people(const PersonQuery& query);
    /// Every department with its number of people, by name.
    Result<std::vector<Department>> departments();

    // Cards.
    // The changes below are the store's side alone, in one transaction each.
    // The daemon's workflows that write a card go through the journal
    // (open_write, apply_write), which applies the same changes once the card
    // holds what they stand for. Every change to a card is refused while a
    // write of it is open.
    Result<Card> issue_card(const Actor& actor, std::string_view staff_no, CardNo card_no, const IssueOptions& options);
    /// Onboarding: the person and their card in one transaction.
    Result<Card> onboard(const Actor& actor, const PersonInput& person, CardNo card_no, const IssueOptions& options);
    Result<Card> card(CardNo card_no);
    Result<std::vector<Card>> cards();
    /// Up to `count` numbers for new cards, ascending: from `from` (absent:
    /// one past the highest number ever issued), passing over every number
    /// ever issued and those in `taken`, none above the card format's
    /// maximum. Fewer when the maximum comes first. Changes nothing.
    Result<std::vector<CardNo>> free_card_numbers(std::size_t count, std::optional<CardNo> from,
                                                  std::span<const CardNo> taken);
    Result<Cents> balance(CardNo card_no);
    Result<std::vector<LedgerEntry>> ledger(CardNo card_no);
    Result<Card> top_up(const Actor& actor, CardNo card_no, Cents amount);
    /// Cash back from an active card, at most its balance.
    Result<Card> refund(const Actor& actor, CardNo card_no, Cents amount);
    /// 退款销户 without the card on an encoder: the whole balance back in
    /// cash, the card closed (returned) and put on every terminal's
    /// blacklist, since the card itself still holds its money. A negative
    /// balance is refused unless `write_off`.
    Result<Card> refund_close(const Actor& actor, CardNo card_no, BlacklistChange* change = nullptr,
                              bool write_off = false);
    /// 退卡 without wiping the card: an active card handed back; the balance
    /// is refunded if asked, otherwise it stays on the returned card's
    /// ledger. The card goes on every terminal's blacklist.
    Result<Card> return_card(const Actor& actor, CardNo card_no, bool refund_balance, BlacklistChange* change = nullptr,
                             bool write_off = false);
    /// Records the chip UID once an encoder wrote the card.
    Result<Card> set_card_uid(const Actor& actor, CardNo card_no, std::string_view uid);

    // Loss (挂失), unlock (解除挂失), replacement (新卡补办).
    Result<Loss> report_loss(const Actor& actor, CardNo card_no, const PushTarget& push,
                             BlacklistChange* change = nullptr);
    Result<Loss> unlock(const Actor& actor, CardNo card_no, const PushTarget& push, BlacklistChange* change = nullptr);
    /// Reports every card of `report` lost in one transaction, or none: when
    /// a card cannot be reported (unknown, not active), nothing is, the
    /// error names each such card and `refused` gets them one by one.
    /// Each terminal's blacklist changes once, for all the cards together.
    Result<std::vector<Loss>> report_losses(const Actor& actor, const LossReport& report,
                                            BlacklistChange* change = nullptr,
                                            std::vector<CardRefusal>* refused = nullptr);
    /// Unlocks every card in one transaction, or none, as report_losses.
    Result<std::vector<Loss>> unlock_cards(const Actor& actor, std::span<const CardNo> cards, const PushTarget& push,
                                           BlacklistChange* change = nullptr,
                                           std::vector<CardRefusal>* refused = nullptr);
    /// The refusal report_loss would give now, changing nothing: a loss
    /// report collects the terminals' records first, and not for a card that
    /// cannot be reported lost.
    Result<void> check_loss(CardNo card_no);
    /// The same for several cards: every card that cannot be reported lost, in `refused`.
    Result<void> check_losses(std::span<const CardNo> cards, std::vector<CardRefusal>* refused = nullptr);
    /// The same for the replacement of `old_card_no`, whose records are
    /// collected before the new card is written: the old card must be lost.
    Result<void> check_replacement(CardNo old_card_no);
    /// Whether a chip of ours that holds card `held` may be written afresh
    /// (issued again, or initialised): not while the store counts that card
    /// as live (active or lost) on this chip, since its money is in the
    /// ledger; it is returned first. A card the store does not know may be.
    Result<void> check_chip_reusable(CardNo held, std::string_view uid);
    Result<std::vector<Loss>> losses(const LossQuery& query);
    /// Replaces a lost card with a new card number, carrying the balance over.
    /// The old card is put on every terminal's blacklist, so its balance
    /// cannot be spent twice. A negative balance is refused unless `write_off`.
    Result<Card> replace_card(const Actor& actor, CardNo old_card_no, CardNo new_card_no, const IssueOptions& options,
                              BlacklistChange* change = nullptr, bool write_off = false);

    // The journal of card writes (docs/card-writes.md).
    /// Checks every rule of the intent's store change, and that no other
    /// write of its card, chip or person is open; changes nothing.
    Result<void> rehearse_write(const WriteIntent& intent);
    /// Checks the rules again and commits the intent, open. A new card's
    /// serial is reserved here and the time set; `after` then gives the
    /// card's content once written (it is pure: no I/O inside the transaction).
    Result<WriteIntent> open_write(const WriteIntent& intent,
                                   const std::function<CardContent(const WriteIntent&)>& after);
    /// The card holds what the intent wrote: applies its store change and
    /// closes it, in one transaction. The change follows the card: rules that
    /// held when the intent opened are not asked again.
    Result<AppliedWrite> apply_write(std::int64_t id, std::string_view resolution);
    /// The card holds what it held before: closes the intent, changing nothing else.
    Result<WriteIntent> drop_write(std::int64_t id, std::string_view resolution);
    Result<WriteIntent> write_intent(std::int64_t id);
    /// Open intents, oldest first.
    Result<std::vector<WriteIntent>> open_writes();
    /// The open intent that names the card (as the card written or the lost card replaced), if any.
    Result<std::optional<WriteIntent>> open_write_for_card(CardNo card_no);
    /// The open intent for the chip, if any.
    Result<std::optional<WriteIntent>> open_write_for_uid(std::string_view uid);

    // Devices.
    Result<Device> add_terminal(const Actor& actor, const TerminalSpec& spec);
    Result<Device> add_encoder(const Actor& actor, const EncoderSpec& spec);
    Result<void> remove_device(const Actor& actor, std::string_view name);
    Result<Device> device(std::string_view name);
    Result<Device> device(DeviceId id);
    Result<std::vector<Device>> devices();
    /// The serial number a terminal reported (CT-1 0x0002); its records are keyed by it.
    Result<void> set_terminal_serial(DeviceId terminal, std::uint32_t serial);
    /// A terminal replaced at its address: the serial on record is
    /// forgotten, so the next contact records the one the terminal there
    /// answers with and reads all of its records. The device as it was.
    Result<Device> forget_terminal_serial(const Actor& actor, std::string_view name);

    // Blacklist state per terminal.
    /// The cards the terminal must refuse, ascending: the list everywhere
    /// with the terminal's exceptions.
    Result<std::vector<CardNo>> desired_blacklist(DeviceId terminal);
    /// The cards on every terminal's blacklist but for exceptions, shared by
    /// every caller until the list changes (one cheap query to know).
    Result<EverywhereList> everywhere();
    /// Where the terminal's set differs from the list everywhere.
    Result<TerminalExceptions> exceptions(DeviceId terminal);
    /// The newest blacklist version planned for any terminal: one counter
    /// read, so that instances sharing the store see another's changes.
    Result<std::int64_t> newest_version();
    /// Terminals with a batch planned and not yet confirmed that are not in
    /// the retry queue (which brings those), by id.
    Result<std::vector<DeviceId>> unconfirmed_terminals();
    /// Batches not yet confirmed, oldest first.
    Result<std::vector<BlacklistBatch>> pending_batches(DeviceId terminal);
    Result<std::vector<BlacklistBatch>> batches(DeviceId terminal);
    /// The terminal now enforces `version`, a version the store planned for it:
    /// that batch and every earlier one are confirmed.
    Result<void> confirm_version(DeviceId terminal, std::int64_t version);
    /// Terminals found level, in one transaction (one commit for a whole
    /// push): each one's confirmed version, when it has a new one, and the end
    /// of its retry state. A version the store refuses (never planned,
    /// superseded) is that entry's error and leaves it out; the others are kept.
    /// Fails whole only when the store does.
    Result<std::vector<std::optional<Error>>> record_levels(std::span<const LevelReport> reports);
    /// Plans a full sync of the desired set at a fresh version; pending deltas are superseded.
    Result<BlacklistBatch> plan_full_sync(DeviceId terminal);
    /// The retry queue, kept in the store so it survives restarts.
    Result<void> record_sync_failure(DeviceId terminal, std::string_view error, UnixTime next_attempt);
    Result<void> record_sync_success(DeviceId terminal);
    /// Terminals in the retry queue whose next attempt is due at `now`.
    Result<std::vector<DeviceId>> due_retries(UnixTime now);
    /// Deletes confirmed and superseded batches created before `before` that
    /// are below their terminal's confirmed version (the batch at it stays,
    /// so the terminal's version is still a known one); how many went.
    Result<std::uint64_t> prune_batches(UnixTime before);
    /// 重新下载失败卡号: puts chosen cards on chosen terminals' blacklists.
    Result<BlacklistChange> add_to_blacklists(const Actor& actor, std::span<const CardNo> cards,
                                              std::span<const std::string> terminals);

    // Leases of terminals among instances sharing the store (docs/scale.md).
    // Once this store has held a round, every write about a terminal
    // (confirmed version, full sync planned, retry queue, serial, records)
    // carries the generation of its lease and is refused with Errc::fenced
    // when the lease is not this instance's at that generation any more.
    /// One round of the lease protocol, in one transaction and in the
    /// database's clock: the instance's heartbeat; its leases still valid
    /// renewed; those above its fair share of the TCP terminals handed back;
    /// free and expired ones claimed up to that share, each at a generation
    /// one above the last; the terminals of its buses claimed whatever the
    /// share. An expired lease is claimed afresh even by its last owner.
    Result<LeaseRound> lease_round(const LeaseRequest& request);
    /// A clean stop: every lease of `owner` free again and its heartbeat
    /// gone, so that the others take its terminals at their next round.
    Result<void> release_leases(std::string_view owner);
    /// Every terminal's lease, by terminal.
    Result<std::vector<LeaseView>> leases();
    /// The generation this store holds the terminal's lease at; none when it
    /// holds no lease of it, or has never held a round (one instance alone).
    std::optional<std::int64_t> held_generation(DeviceId terminal) const;

    // Transaction records collected from terminals.
    /// Stores records identified by (terminal serial, seq): a record already held
    /// is ignored, a new one applies to its card's ledger once. The terminal's
    /// last collection time is set, with no records too.
    Result<RecordsOutcome> store_records(DeviceId terminal, std::span<const TransactionRecord> records);
    /// Terminals collected with no new records, in one transaction (one
    /// commit for a whole push's collections): each one's last collection time.
    Result<void> mark_collected(std::span<const DeviceId> terminals);
    Result<std::vector<StoredRecord>> records(std::optional<CardNo> card_no = std::nullopt);

    /// Counts of people, cards by state, pending batches and open card
    /// writes, for health reports; COUNT queries only.
    Result<StoreCounts> counts();

    // Accounts of the staff console (docs/accounts.md).
    /// A new account; its name is unique, whatever the case of its letters.
    Result<Account> add_account(const Actor& actor, const AccountInput& account);
    Result<Account> account(std::string_view name);
    /// Every account, by name.
    Result<std::vector<Account>> accounts();
    /// A new password hash; the failure count and any lockout are cleared.
    Result<Account> set_account_password(const Actor& actor, std::string_view name, std::string_view password_hash);
    Result<Account> set_account_disabled(const Actor& actor, std::string_view name, bool disabled);
    Result<void> remove_account(const Actor& actor, std::string_view name);
    /// Settles a login whose password was checked against `checked_hash`
    /// (`right` or not), in one transaction: a locked account is refused
    /// whatever the password; a wrong one is counted, and locks the account
    /// at `policy.failures` in a row; a right one on a disabled account is
    /// refused; otherwise the count is reset and the login time set. A hash
    /// changed while the password was checked counts as wrong, uncounted.
    Result<LoginOutcome> settle_login(const Actor& actor, std::string_view name, std::string_view checked_hash,
                                      bool right, const LockoutPolicy& policy);

    // Audit log.
    Result<std::vector<AuditEntry>> audit_log(std::size_t limit = 100);
    /// The audit lines the query chooses, newest first.
    Result<std::vector<AuditEntry>> audit_log(const AuditQuery& query);
    /// An audit line for something done to a card that changes no other state
    /// (initialising a card on the encoder).
    Result<void> note(const Actor& actor, std::string_view action, const std::string& detail);

    /// Checks every invariant the schema cannot express (ledger conservation,
    /// card links, blacklist of replaced cards). Returns one line per violation.
    Result<std::vector<std::string>> check_invariants();

private:
    CardStore(std::unique_ptr<SqlConnection> db, Clock clock);

    /// Runs `body` between BEGIN and COMMIT; any error value, and any
    /// exception, rolls everything back.
    template <class Body>
    auto transaction(Body&& body) -> decltype(body());
    template <class Body>
    auto transaction_once(Body& body) -> decltype(body());
    /// How often a transaction that lost to a concurrent change is run, in all.
    static constexpr int contention_attempts = 5;
    /// A short, random wait before attempt `attempt` + 1, so that two losers do not collide again.
    static void contention_pause(int attempt);
    /// Runs `body` between BEGIN and ROLLBACK: its checks, never its writes.
    template <class Body>
    auto rehearsal(Body&& body) -> decltype(body());

    // A card change is a check (its rules) and an apply (its effects), so the
    // journal can check when the intent opens and apply once the card is written.
    Result<void> check_change(const WriteIntent& intent);
    Result<AppliedWrite> apply_change(const WriteIntent& intent, bool card_wiped);
    /// A change with no card written: checked and applied in one transaction;
    /// `prepare` completes the intent inside it.
    Result<AppliedWrite> apply_now(WriteIntent intent, const std::function<void(WriteIntent&)>& prepare = {});
    /// Refuses a change to a card while a write of it is open.
    Result<void> refuse_open_write(CardNo card_no);
    Result<std::int64_t> reserve_serial();
    /// Settles the open write of a card from the terminal records collected for it, when one decides it.
    Result<std::optional<WriteIntent>> settle_by_records(CardNo card_no);
    /// A negative balance at replacement or close: refused, or written off to zero.
    Result<Cents> settle_negative(const WriteIntent& intent, const Card& card);

    Result<void> audit(const Actor& actor, std::string_view action, const std::string& detail);
    Result<Person> insert_person(const Actor& actor, const PersonInput& person);
    Result<Card> load_card(CardNo card_no);
    Result<void> check_card_no(CardNo card_no);
    Result<void> check_new_card(CardNo card_no, std::optional<std::int64_t> person_id, const IssueOptions& options);
    Result<Card> insert_card(const WriteIntent& intent, std::int64_t person_id);
    Result<std::int64_t> insert_ledger(CardNo card_no, LedgerKind kind, Cents amount, Cents cash,
                                       std::optional<std::int64_t> by_uid = std::nullopt);
    /// Ledger entries without cash or uid (what terminals' records bring),
    /// each card's balance moved once by the sum of its entries.
    struct TerminalEntry {
        CardNo card_no;
        LedgerKind kind;
        Cents amount;
    };
    Result<void> insert_terminal_entries(std::span<const TerminalEntry> entries);
    Result<void> move_balance(CardNo card_no, Cents amount);
    Result<std::vector<DeviceId>> resolve_terminals(const PushTarget& push);
    Result<std::vector<DeviceId>> all_terminals();
    Result<std::int64_t> next_version();
    /// `count` consecutive fresh versions; the first of them.
    Result<std::int64_t> reserve_versions(std::size_t count);
    /// Writes the batches of `changed` cards (op) after `base`, numbered
    /// from `first_version`, and moves the planned version; the last version.
    Result<std::int64_t> write_batches(DeviceId terminal, std::int64_t base, BatchOp op,
                                       std::span<const CardNo> changed, std::int64_t first_version,
                                       BlacklistChange* change);
    /// The batches of every terminal's changed cards, versions reserved at once.
    Result<void> plan_changes(const std::map<DeviceId, std::vector<CardNo>>& changed, BatchOp op,
                              BlacklistChange* change);
    Result<BlacklistBatch> insert_full_batch(DeviceId terminal, std::int64_t base, std::int64_t version);
    /// The list everywhere changed: readers load it again.
    Result<void> everywhere_changed();
    /// Which of the cards are listed everywhere.
    Result<std::set<CardNo>> listed_everywhere(std::span<const CardNo> cards);
    /// The exception rows of the cards: card, then terminal, then plus (true) or minus.
    Result<std::map<CardNo, std::map<DeviceId, bool>>> exceptions_of(std::span<const CardNo> cards);
    /// Takes cards off the list everywhere and off the terminals `from`;
    /// every other terminal that refused them keeps refusing them.
    Result<void> unlist(std::span<const CardNo> cards, std::span<const DeviceId> from, BlacklistChange* change);
    /// confirm_version inside a transaction the caller holds; `level` also
    /// clears the terminal's sync failure, in the same statement.
    Result<void> confirm_version_in(DeviceId terminal, std::int64_t version, bool level);
    /// Adds or removes cards in one terminal's desired set and writes the batch
    /// for what really changed; nothing when nothing changed.
    Result<void> change_terminal_set(DeviceId terminal, BatchOp op, std::span<const CardNo> cards,
                                     BlacklistChange* change);
    /// Puts a card on the all-terminals list and on every terminal's set.
    Result<void> blacklist_everywhere(CardNo card_no, BlacklistChange* change);
    /// The same for several cards, each terminal's set changed once for all of them.
    Result<void> blacklist_everywhere(std::span<const CardNo> cards, BlacklistChange* change);
    /// Loads each card and the refusal `rule` gives it, if any.
    Result<std::vector<Card>> load_cards(std::span<const CardNo> cards,
                                         const std::function<Result<void>(const Card&)>& rule,
                                         std::vector<CardRefusal>& refused);
    Result<std::vector<std::string>> terminal_names(std::int64_t loss_id, std::string_view role);
    /// The losses the condition on `l` (losses), `c` (cards) and `p` (people) selects.
    Result<std::vector<Loss>> losses_where(const std::string& where, const std::vector<Value>& params);
    /// The losses with these ids, in this order.
    Result<std::vector<Loss>> losses_by_id(std::span<const std::int64_t> ids);

    /// Refuses a write about the terminal unless this store holds its lease
    /// at the generation it holds; marks the lease row, so that on Galera the
    /// write and a claim of the lease cannot both commit. Within a transaction.
    Result<void> fence(DeviceId terminal);
    /// The instance this store's lease rounds are for, and what they hold.
    struct Fencing {
        std::string owner;
        std::map<DeviceId, std::int64_t> generations;
    };

    std::unique_ptr<SqlConnection> db_;
    Clock clock_;
    std::optional<Fencing> fencing_;   // unset until a lease round: nothing is fenced
    int transaction_depth_ = 0;        // transactions and rehearsals open
    EverywhereList everywhere_cache_;  // the last committed list read
};

}  // namespace cardd::store
