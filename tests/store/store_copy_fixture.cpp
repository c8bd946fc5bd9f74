#include "tests/store/store_copy_fixture.hpp"

#include <vector>

#include "store/migrations.hpp"
#include "tests/store/store_fixture.hpp"

namespace cardd::test {

using namespace store;

UnixTime fixed_clock() { return 1'764'000'000; }

void fill_every_table(CardStore& store) {
    const Actor clerk{1000};
    const Actor admin{0};
    must(store.add_person(clerk, {"E1", "Wang Fang", "Kitchen"}));
    must(store.add_person(clerk, {"E2", "Zhao Lei", "Office"}));
    must(store.add_person(clerk, {"E3", "Li \"Xiao\" Ming, Jr.", "Office"}));
    must(store.issue_card(clerk, "E1", 1001, {5000, 1000, "0A0B0C01"}));
    must(store.issue_card(clerk, "E2", 1002, {0, 0, std::nullopt}));
    must(store.issue_card(clerk, "E3", 1003, {2000, 0, "0A0B0C03"}));
    const Device t1 = must(store.add_terminal(admin, {"T1", TcpAddress{"127.0.0.1", 1502}, 1}));
    const Device t2 = must(store.add_terminal(admin, {"T2", RtuAddress{"/dev/ttyUSB0", 19200, 'E'}, 3}));
    must(store.add_encoder(admin, {"desk", true, 0, 0}));
    must(store.add_terminal(admin, {"T3", TcpAddress{"127.0.0.1", 1503}, 1}));
    must(store.remove_device(admin, "T3"));
    must(store.set_terminal_serial(t1.id, 7));
    must(store.top_up(clerk, 1001, 1250));
    must(store.report_loss(clerk, 1002, PushTarget::all()));
    must(store.replace_card(clerk, 1002, 2002, {0, 500, "0A0B0C22"}));
    must(store.report_losses(clerk, LossReport{{1003}, PushTarget::named({"T1"}), LossReason::damaged}));
    must(store.unlock(clerk, 1003, PushTarget::named({"T1"})));
    const std::vector<TransactionRecord> records{{0, 1001, 300, 5950, 1'764'000'100, 1, RecordKind::purchase},
                                                 {1, 1001, -50, 6000, 1'764'000'200, 2, RecordKind::refund},
                                                 {2, 1003, 0, 2000, 1'764'000'300, 3, RecordKind::refused}};
    must(store.store_records(t1.id, records));
    must(store.record_sync_failure(t2.id, "no answer from unit 3", 1'764'000'060));
    WriteIntent topup;
    topup.kind = WriteKind::topup;
    topup.card_no = 1003;
    topup.actor = clerk;
    topup.uid = "0A0B0C03";
    topup.amount = 150;
    topup.before = CardContent{"card", "aa", 2000, 4};
    must(store.open_write(topup, [](const WriteIntent&) { return CardContent{"card", "bb", 2150, 5}; }));
    must(store.note(clerk, "card-init", "a card initialised on desk"));
    // Console accounts, one locked out and one that logged in, and a change made through the console.
    const std::string hash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA";
    must(store.add_account(admin, {"ops", AccountRole::admin, hash}));
    must(store.add_account(admin, {"desk.1", AccountRole::issuer, hash}));
    const Actor console{54330};
    for (int i = 0; i < 5; ++i) must(store.settle_login(console, "desk.1", hash, false, {5, 900}));
    must(store.settle_login(console, "ops", hash, true, {5, 900}));
    must(store.note(Actor{54330, "ops"}, "card-init", "a card initialised on desk, through the console"));
}

std::string dump_tables(SqlConnection& db) {
    std::string out;
    for (std::string_view table : schema_tables()) {
        out += "[" + std::string(table) + "]\n";
        auto count = db.query("SELECT * FROM " + std::string(table) + " LIMIT 1");
        if (!count) {
            ADD_FAILURE() << count.error().message;
            return out;
        }
        const std::size_t columns = count->empty() ? 1 : count->front().size();
        std::string order = " ORDER BY 1";
        for (std::size_t i = 2; i <= columns; ++i) order += ", " + std::to_string(i);
        auto rows = db.query("SELECT * FROM " + std::string(table) + order);
        if (!rows) {
            ADD_FAILURE() << rows.error().message;
            return out;
        }
        out += render_rows(*rows);
    }
    return out;
}

std::map<std::int64_t, std::int64_t> ledger_sums(SqlConnection& db) {
    std::map<std::int64_t, std::int64_t> sums;
    auto rows = db.query("SELECT card_no, amount FROM ledger");
    if (!rows) {
        ADD_FAILURE() << rows.error().message;
        return sums;
    }
    for (const Row& row : *rows) sums[as_int(row[0])] += as_int(row[1]);
    return sums;
}

}  // namespace cardd::test
