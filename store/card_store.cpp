#include <algorithm>
#include <charconv>
#include <chrono>
#include <random>
#include <thread>

#include "store/card_store.hpp"
#include "store/card_store_internal.hpp"
#include "store/migrations.hpp"

namespace cardd::store {

UnixTime system_clock_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string_view to_string(CardState state) noexcept {
    switch (state) {
        case CardState::active: return "active";
        case CardState::lost: return "lost";
        case CardState::replaced: return "replaced";
        case CardState::returned: return "returned";
    }
    return "?";
}

std::string_view to_string(LedgerKind kind) noexcept {
    switch (kind) {
        case LedgerKind::opening: return "opening";
        case LedgerKind::card_cost: return "card_cost";
        case LedgerKind::topup: return "topup";
        case LedgerKind::refund: return "refund";
        case LedgerKind::purchase: return "purchase";
        case LedgerKind::terminal_refund: return "terminal_refund";
        case LedgerKind::carry_out: return "carry_out";
        case LedgerKind::carry_in: return "carry_in";
        case LedgerKind::write_off: return "write_off";
    }
    return "?";
}

std::string_view to_string(PushTarget::Scope scope) noexcept {
    switch (scope) {
        case PushTarget::Scope::none: return "none";
        case PushTarget::Scope::all: return "all";
        case PushTarget::Scope::named: return "named";
    }
    return "?";
}

std::string_view to_string(LossReason reason) noexcept {
    switch (reason) {
        case LossReason::lost: return "lost";
        case LossReason::damaged: return "damaged";
        case LossReason::expired: return "expired";
        case LossReason::other: return "other";
    }
    return "?";
}

std::string_view to_string(BatchOp op) noexcept {
    switch (op) {
        case BatchOp::add: return "add";
        case BatchOp::remove: return "remove";
        case BatchOp::full: return "full";
    }
    return "?";
}

std::string_view to_string(BatchState state) noexcept {
    switch (state) {
        case BatchState::pending: return "pending";
        case BatchState::confirmed: return "confirmed";
        case BatchState::superseded: return "superseded";
    }
    return "?";
}

namespace detail {

// Parsing our own column values: anything else is a corrupt database, an
// invariant broken, so these throw.
template <class Enum, std::size_t N>
Enum enum_from(std::string_view text, const Enum (&values)[N], const char* what) {
    for (Enum value : values) {
        if (to_string(value) == text) return value;
    }
    throw std::runtime_error(std::string("store: unknown ") + what + " '" + std::string(text) + "' in the database");
}

CardState card_state_from(std::string_view text) {
    static constexpr CardState all[] = {CardState::active, CardState::lost, CardState::replaced, CardState::returned};
    return enum_from(text, all, "card state");
}

LedgerKind ledger_kind_from(std::string_view text) {
    static constexpr LedgerKind all[] = {LedgerKind::opening,   LedgerKind::card_cost, LedgerKind::topup,
                                         LedgerKind::refund,    LedgerKind::purchase,  LedgerKind::terminal_refund,
                                         LedgerKind::carry_out, LedgerKind::carry_in,  LedgerKind::write_off};
    return enum_from(text, all, "ledger kind");
}

PushTarget::Scope scope_from(std::string_view text) {
    static constexpr PushTarget::Scope all[] = {PushTarget::Scope::none, PushTarget::Scope::all,
                                                PushTarget::Scope::named};
    return enum_from(text, all, "push scope");
}

LossReason loss_reason_from(std::string_view text) { return enum_from(text, loss_reasons, "loss reason"); }

BatchOp batch_op_from(std::string_view text) {
    static constexpr BatchOp all[] = {BatchOp::add, BatchOp::remove, BatchOp::full};
    return enum_from(text, all, "batch op");
}

BatchState batch_state_from(std::string_view text) {
    static constexpr BatchState all[] = {BatchState::pending, BatchState::confirmed, BatchState::superseded};
    return enum_from(text, all, "batch state");
}

std::string join_cards(std::span<const CardNo> cards) {
    std::string out;
    for (CardNo card : cards) {
        if (!out.empty()) out.push_back(',');
        out += std::to_string(card);
    }
    return out;
}

std::vector<CardNo> split_cards(std::string_view text) {
    std::vector<CardNo> cards;
    while (!text.empty()) {
        const auto comma = text.find(',');
        const std::string_view item = text.substr(0, comma);
        CardNo card = 0;
        auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), card);
        if (ec != std::errc{} || ptr != item.data() + item.size()) {
            throw std::runtime_error("store: corrupt card list in a blacklist batch");
        }
        cards.push_back(card);
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    }
    return cards;
}

Card card_from_row(const Row& row) {
    Card card;
    card.card_no = as_int(row[0]);
    card.serial = as_int(row[1]);
    card.staff_no = as_text(row[2]);
    card.name = as_text(row[3]);
    card.department = as_text(row[4]);
    if (!is_null(row[5])) card.uid = as_text(row[5]);
    card.state = card_state_from(as_text(row[6]));
    card.issued_at = as_int(row[7]);
    card.closed_at = as_opt_int(row[8]);
    card.replaced_by = as_opt_int(row[9]);
    card.replaces = as_opt_int(row[10]);
    card.balance = as_int(row[11]);
    return card;
}

Device device_from_row(const Row& row) {
    Device device;
    device.id = as_int(row[0]);
    device.name = as_text(row[1]);
    const std::string& kind = as_text(row[2]);
    const std::string& transport = as_text(row[3]);
    if (kind == "terminal") {
        device.kind = DeviceKind::terminal;
        TerminalSpec spec;
        spec.name = device.name;
        if (transport == "tcp") {
            spec.address = TcpAddress{as_text(row[4]), static_cast<int>(as_int(row[5]))};
        } else {
            spec.address = RtuAddress{as_text(row[6]), static_cast<int>(as_int(row[7])), as_text(row[8]).at(0)};
        }
        spec.unit_id = static_cast<int>(as_int(row[9]));
        device.terminal = spec;
    } else {
        device.kind = DeviceKind::encoder;
        EncoderSpec spec;
        spec.name = device.name;
        spec.simulated = transport == "sim";
        if (!spec.simulated) {
            spec.vendor_id = static_cast<std::uint16_t>(as_int(row[10]));
            spec.product_id = static_cast<std::uint16_t>(as_int(row[11]));
        }
        device.encoder = spec;
    }
    if (const auto serial = as_opt_int(row[12])) device.terminal_serial = static_cast<std::uint32_t>(*serial);
    device.confirmed_version = as_int(row[13]);
    device.planned_version = as_int(row[14]);
    device.records_next_seq = as_int(row[15]);
    device.created_at = as_int(row[16]);
    device.sync_attempts = as_int(row[17]);
    if (!is_null(row[18])) device.sync_error = as_text(row[18]);
    device.sync_failed_since = as_opt_int(row[19]);
    device.sync_next_at = as_opt_int(row[20]);
    device.last_collected_at = as_opt_int(row[21]);
    return device;
}

BlacklistBatch batch_from_row(const Row& row) {
    BlacklistBatch batch;
    batch.id = as_int(row[0]);
    batch.terminal_id = as_int(row[1]);
    batch.base_version = as_int(row[2]);
    batch.new_version = as_int(row[3]);
    batch.op = batch_op_from(as_text(row[4]));
    batch.cards = split_cards(as_text(row[5]));
    batch.created_at = as_int(row[6]);
    batch.state = batch_state_from(as_text(row[7]));
    return batch;
}

}  // namespace detail

using namespace detail;

CardStore::CardStore(std::unique_ptr<SqlConnection> db, Clock clock) : db_(std::move(db)), clock_(std::move(clock)) {}

CardStore::~CardStore() = default;

Result<std::unique_ptr<CardStore>> CardStore::open(std::unique_ptr<SqlConnection> connection, Clock clock) {
    if (!connection) return fail(Errc::invalid_argument, "store: no database connection");
    CARDD_TRY(version, migrate(*connection));
    (void)version;
    return std::unique_ptr<CardStore>(new CardStore(std::move(connection), std::move(clock)));
}

Result<int> CardStore::schema_version() { return recorded_schema_version(*db_); }

Result<void> CardStore::audit(const Actor& actor, std::string_view action, const std::string& detail) {
    CARDD_TRY(done,
              execute(*db_, "INSERT INTO audit_log (at, uid, action, detail, account, via) VALUES (?, ?, ?, ?, ?, ?)",
                      {clock_(), actor.uid, std::string(action), detail, optional_text(actor.account),
                       std::string(actor.via())}));
    (void)done;
    return {};
}

Result<void> CardStore::note(const Actor& actor, std::string_view action, const std::string& detail) {
    return transaction([&]() -> Result<void> { return audit(actor, action, detail); });
}

Result<std::vector<AuditEntry>> CardStore::audit_log(std::size_t limit) {
    AuditQuery everything;
    everything.limit = limit;
    return audit_log(everything);
}

Result<std::vector<AuditEntry>> CardStore::audit_log(const AuditQuery& chosen) {
    Conditions where;
    if (chosen.account) where.add("account = ?", *chosen.account);
    if (chosen.uid) where.add("uid = ?", *chosen.uid);
    // "card." is every card action; a whole name is that action only.
    if (chosen.action && chosen.action->ends_with('.')) {
        where.add("substr(action, 1, ?) = ?", static_cast<std::int64_t>(chosen.action->size()), *chosen.action);
    } else if (chosen.action) {
        where.add("action = ?", *chosen.action);
    }
    if (chosen.from) where.add("at >= ?", *chosen.from);
    if (chosen.to) where.add("at <= ?", *chosen.to);
    std::vector<Value> params = where.params();
    params.emplace_back(static_cast<std::int64_t>(chosen.limit));
    CARDD_TRY(rows, db_->query("SELECT id, at, uid, action, detail, account, via FROM audit_log WHERE " + where.sql() +
                                   " ORDER BY id DESC LIMIT ?",
                               params));
    std::vector<AuditEntry> entries;
    for (const Row& row : rows) {
        entries.push_back({as_int(row[0]), as_int(row[1]), as_int(row[2]), as_text(row[3]), as_text(row[4]),
                           is_null(row[5]) ? std::nullopt : std::optional<std::string>(as_text(row[5])),
                           as_text(row[6])});
    }
    return entries;
}

void CardStore::contention_pause(int attempt) {
    thread_local std::minstd_rand random(std::random_device{}());
    const int most_ms = 2 << std::min(attempt, 6);  // 4, 8, 16 ... ms
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(1, most_ms)(random)));
}

}  // namespace cardd::store
