#pragma once
// Stores holding every kind of row, and their contents as text, for the
// tests of the backup (sqlite_backup_test.cpp) and of the copy between
// backends (store_copy_test.cpp).

#include <map>
#include <memory>
#include <string>

#include "store/card_store.hpp"

namespace cardd::test {

/// Fills `store` through its API with a row in every table: people, cards
/// (issued, topped up, lost and replaced), terminals on TCP and RTU with
/// blacklist batches and a failed sync, an encoder, a removed terminal (a gap
/// in the device ids), collected records, an open card write, audit lines,
/// console accounts (one locked out) and an audit line through the console.
void fill_every_table(store::CardStore& store);

/// Every row of every table of the schema, in one order, as text: two equal
/// dumps are two stores with the same rows, whatever their backends.
std::string dump_tables(store::SqlConnection& db);

/// Each card's ledger sum.
std::map<std::int64_t, std::int64_t> ledger_sums(store::SqlConnection& db);

/// The clock of the stores these tests make.
store::UnixTime fixed_clock();

}  // namespace cardd::test
