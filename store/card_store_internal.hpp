#pragma once
// Shared by the card_store_*.cpp files only: error propagation, query helpers
// and the transaction wrapper.

#include <initializer_list>
#include <optional>
#include <string_view>
#include <type_traits>
#include <string>
#include <utility>
#include <vector>

#include "protocol/money.hpp"
#include "store/card_store.hpp"

// Propagates an error value; binds the value to `name` otherwise.
#define CARDD_TRY(name, expr)                                                     \
    auto name##_result = (expr);                                                  \
    if (!name##_result) return std::unexpected(std::move(name##_result.error())); \
    auto& name = *name##_result

#define CARDD_TRY_VOID(expr)                                                      \
    do {                                                                          \
        auto try_result_ = (expr);                                                \
        if (!try_result_) return std::unexpected(std::move(try_result_.error())); \
    } while (0)

namespace cardd::store::detail {

using Params = std::initializer_list<Value>;

inline std::span<const Value> as_span(Params params) { return {params.begin(), params.size()}; }

inline Result<std::vector<Row>> query(SqlConnection& db, std::string_view sql, Params params = {}) {
    return db.query(sql, as_span(params));
}

inline Result<std::uint64_t> execute(SqlConnection& db, std::string_view sql, Params params = {}) {
    return db.execute(sql, as_span(params));
}

/// The first row, or nothing.
inline Result<std::optional<Row>> query_one(SqlConnection& db, std::string_view sql, Params params = {}) {
    auto rows = db.query(sql, as_span(params));
    if (!rows) return std::unexpected(rows.error());
    if (rows->empty()) return std::optional<Row>{};
    return std::optional<Row>{std::move(rows->front())};
}

/// A single integer (COUNT, SUM, MAX); NULL reads as 0.
inline Result<std::int64_t> query_int(SqlConnection& db, std::string_view sql, Params params = {}) {
    auto row = query_one(db, sql, params);
    if (!row) return std::unexpected(row.error());
    if (!*row || is_null((**row)[0])) return std::int64_t{0};
    return as_int((**row)[0]);
}

/// The WHERE clause of a query's optional filters, with their parameters in
/// order: each add() ANDs one condition holding one '?' per value given.
class Conditions {
public:
    template <class... Values>
    void add(std::string_view condition, Values&&... values) {
        sql_ += " AND ";
        sql_ += condition;
        (params_.emplace_back(std::forward<Values>(values)), ...);
    }
    const std::string& sql() const noexcept { return sql_; }
    const std::vector<Value>& params() const noexcept { return params_; }

private:
    std::string sql_ = "1 = 1";
    std::vector<Value> params_;
};

/// " FOR UPDATE" on MariaDB, where a read that decides a write must lock its
/// rows; SQLite's BEGIN IMMEDIATE already holds the only write lock.
inline const char* for_update(const SqlConnection& db) { return db.dialect() == Dialect::mariadb ? " FOR UPDATE" : ""; }

/// NULL for none.
inline Value optional_text(const std::optional<std::string>& text) { return text ? Value{*text} : Value{}; }

std::string join_cards(std::span<const CardNo> cards);
std::vector<CardNo> split_cards(std::string_view text);

CardState card_state_from(std::string_view text);
LedgerKind ledger_kind_from(std::string_view text);
PushTarget::Scope scope_from(std::string_view text);
LossReason loss_reason_from(std::string_view text);
BatchOp batch_op_from(std::string_view text);
BatchState batch_state_from(std::string_view text);

/// Columns of the card query shared by every card lookup.
inline constexpr std::string_view card_columns =
    "c.card_no, c.serial, p.staff_no, p.name, p.department, c.uid, c.state, c.issued_at, c.closed_at, "
    "c.replaced_by, c.replaces, c.balance ";
Card card_from_row(const Row& row);

/// The rules a person's fields must meet.
Result<void> validate_person(const PersonInput& person);

inline constexpr std::string_view device_columns =
    "id, name, kind, transport, host, port, serial_device, baud, parity, unit_id, usb_vendor, usb_product, "
    "terminal_serial, confirmed_version, planned_version, records_next_seq, created_at, sync_attempts, sync_error, "
    "sync_failed_since, sync_next_at, last_collected_at ";
Device device_from_row(const Row& row);

inline constexpr std::string_view batch_columns =
    "id, terminal_id, base_version, new_version, op, cards, created_at, state ";
BlacklistBatch batch_from_row(const Row& row);

}  // namespace cardd::store::detail

namespace cardd::store {}  // namespace cardd::store

namespace cardd::store {

/// Counts an open transaction for as long as it lives.
class TransactionDepth {
public:
    explicit TransactionDepth(int& depth) : depth_(depth) { ++depth_; }
    ~TransactionDepth() { --depth_; }
    TransactionDepth(const TransactionDepth&) = delete;
    TransactionDepth& operator=(const TransactionDepth&) = delete;

private:
    int& depth_;
};

template <class Body>
auto CardStore::transaction_once(Body& body) -> decltype(body()) {
    if (auto began = db_->begin(); !began) return std::unexpected(began.error());
    const TransactionDepth open(transaction_depth_);
    // Whatever leaves the body, an error value or an exception from a rule
    // written as a throw, ends the transaction: an open one would make the
    // next BEGIN fail on SQLite and commit it on MariaDB.
    try {
        auto result = body();
        if (!result) {
            (void)db_->rollback();
            return result;
        }
        if (auto committed = db_->commit(); !committed) {
            (void)db_->rollback();
            return std::unexpected(committed.error());
        }
        return result;
    } catch (...) {
        (void)db_->rollback();
        throw;
    }
}

template <class Body>
auto CardStore::transaction(Body&& body) -> decltype(body()) {
    // On Galera a change of the same rows committed first on another node
    // fails this one at COMMIT (a certification failure, reported as a
    // deadlock); nothing of it was kept. The body runs again from its reads,
    // which see the winner's change, a few times before the loser is told.
    // Only the outermost transaction repeats: an inner one is part of it.
    const bool outermost = transaction_depth_ == 0;
    for (int attempt = 1;; ++attempt) {
        auto result = transaction_once(body);
        if (result || result.error().code != Errc::contention || !outermost || attempt == contention_attempts) {
            if (!result && result.error().code == Errc::contention && outermost) {
                result.error().message += " (tried " + std::to_string(attempt) + " times)";
            }
            return result;
        }
        contention_pause(attempt);
    }
}

template <class Body>
auto CardStore::rehearsal(Body&& body) -> decltype(body()) {
    if (auto began = db_->begin(); !began) return std::unexpected(began.error());
    const TransactionDepth open(transaction_depth_);
    try {
        auto result = body();
        if (auto rolled_back = db_->rollback(); !rolled_back) return std::unexpected(rolled_back.error());
        return result;
    } catch (...) {
        (void)db_->rollback();
        throw;
    }
}

}  // namespace cardd::store

namespace cardd::store {}  // namespace cardd::store
