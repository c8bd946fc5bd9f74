// Schema versioning, card format and people, on both backends.

#include "store/migrations.hpp"
#include "tests/store/store_fixture.hpp"

namespace cardd::test {
namespace {

using store::Errc;

class FormatAndPeople : public StoreTest {};
INSTANTIATE_FOR_BOTH_BACKENDS(FormatAndPeople);

// Opening a database runs the migrations once and records the version; a second open changes nothing.
TEST_P(FormatAndPeople, migrationsRecordTheSchemaVersionOnce) {
    EXPECT_EQ(must(store->schema_version()), store::latest_schema_version());
    const std::string before = snapshot();
    auto again = reopen();
    EXPECT_EQ(must(again->schema_version()), store::latest_schema_version());
    EXPECT_EQ(snapshot(), before);
}

// A migration missing below the highest recorded one (a database migrated by
// a build whose list had a gap there) is applied at the next open, and only it.
TEST_P(FormatAndPeople, aMissingMigrationBelowTheHighestIsApplied) {
    store.reset();
    const auto versions = [this] {
        return render_rows(must(connect()->query("SELECT version FROM schema_version ORDER BY version")));
    };
    const std::string all = versions();
    {
        // Undo migration 3 by hand: its column and its version row.
        auto db = connect();
        must(db->execute("ALTER TABLE devices DROP COLUMN last_collected_at"));
        must(db->execute("DELETE FROM schema_version WHERE version = 3"));
    }
    ASSERT_NE(versions(), all);
    store = reopen();
    EXPECT_EQ(must(store->schema_version()), store::latest_schema_version());
    EXPECT_EQ(versions(), all);
    // The column is back: a terminal's collection time can be kept.
    const auto terminal = add_tcp_terminal("T1", 1502);
    must(store->set_terminal_serial(terminal.id, 7));
    must(store->store_records(terminal.id, {}));
    EXPECT_EQ(must(store->device(terminal.id)).last_collected_at, now);
}

// A database written by a newer cardd is refused with a message that says what to do.
TEST_P(FormatAndPeople, databaseFromANewerCarddIsRefused) {
    auto db = connect();
    must(db->execute("INSERT INTO schema_version (version, applied_at) VALUES (999, 0)"));
    store.reset();
    auto opened = store::CardStore::open(connect(), [this] { return now; });
    ASSERT_FALSE(opened.has_value());
    EXPECT_EQ(opened.error().code, Errc::schema_too_new);
    EXPECT_NE(opened.error().message.find("999"), std::string::npos) << opened.error().message;
}

// The default format is the standard consumption IC card, sector 1, six digits, at most 500000.
TEST_P(FormatAndPeople, defaultCardFormatIsTheStandardConsumptionCard) {
    const store::CardFormat format = must(store->card_format());
    EXPECT_EQ(format.card_type, "IC card");
    EXPECT_EQ(format.format, "standard consumption IC card");
    EXPECT_EQ(format.sector, 1);
    EXPECT_EQ(format.card_no_digits, 6);
    EXPECT_EQ(format.max_card_no, 500000);
}

// A valid format is kept; every out-of-range field is refused and changes nothing.
TEST_P(FormatAndPeople, cardFormatOutOfRangeIsRefusedAndChangesNothing) {
    store::CardFormat format;
    format.sector = 15;
    format.card_no_digits = 4;
    format.max_card_no = 9999;
    must(store->set_card_format(clerk, format));
    EXPECT_EQ(must(store->card_format()).sector, 15);

    const std::string before = snapshot();
    const auto refused = [&](auto mutate) {
        store::CardFormat bad = format;
        mutate(bad);
        auto result = store->set_card_format(clerk, bad);
        ASSERT_FALSE(result.has_value());
        EXPECT_EQ(result.error().code, Errc::invalid_argument);
        EXPECT_FALSE(result.error().message.empty());
    };
    refused([](store::CardFormat& f) { f.sector = 0; });
    refused([](store::CardFormat& f) { f.sector = 16; });
    refused([](store::CardFormat& f) { f.card_no_digits = 7; });
    refused([](store::CardFormat& f) { f.card_no_digits = 0; });
    refused([](store::CardFormat& f) { f.max_card_no = 500001; });
    refused([](store::CardFormat& f) { f.max_card_no = 0; });
    refused([](store::CardFormat& f) { f.max_card_no = 10000; });  // five digits with four allowed
    refused([](store::CardFormat& f) { f.format = "Mifare Plus"; });
    EXPECT_EQ(snapshot(), before);
}

// Cards in use pin the sector, and the maximum cannot fall below an issued number.
TEST_P(FormatAndPeople, issuedCardsPinTheSectorAndTheMaximum) {
    add_person("E1");
    issue("E1", 4200);
    store::CardFormat format = must(store->card_format());
    format.sector = 2;
    auto moved = store->set_card_format(clerk, format);
    ASSERT_FALSE(moved.has_value());
    EXPECT_EQ(moved.error().code, Errc::conflict);
    format.sector = 1;
    format.max_card_no = 4000;
    auto lowered = store->set_card_format(clerk, format);
    ASSERT_FALSE(lowered.has_value());
    EXPECT_EQ(lowered.error().code, Errc::conflict);
    format.max_card_no = 4200;
    EXPECT_TRUE(store->set_card_format(clerk, format).has_value());
}

// Names with quotes, semicolons and Chinese text come back byte for byte.
TEST_P(FormatAndPeople, namesAreStoredVerbatim) {
    const std::string name = "张三 O'Brien; \"DROP TABLE people;--";
    const std::string dept = "食堂（二楼）; 'kitchen'";
    must(store->add_person(clerk, {"工号-007'", name, dept}));
    const store::Person person = must(store->person("工号-007'"));
    EXPECT_EQ(person.name, name);
    EXPECT_EQ(person.department, dept);
    ASSERT_EQ(must(store->people()).size(), 1u);
}

// The classic injection strings, as staff numbers, names and departments,
// are stored and read back as written, found by themselves in a search,
// and leave every table as it was: nothing is spliced into SQL.
TEST_P(FormatAndPeople, injectionStringsAreStoredVerbatim) {
    const std::vector<std::string> attacks = {"' OR '1'='1",
                                              "'; DROP TABLE cards; --",
                                              "Robert'); DROP TABLE people;--",
                                              "\\'; SELECT 1; --",
                                              "%' OR 1=1 -- ",
                                              "1; UPDATE cards SET balance = 999999",
                                              "\" OR \"\"=\"",
                                              "admin'/*",
                                              "' UNION SELECT staff_no, name, department FROM people --"};
    int n = 0;
    for (const std::string& attack : attacks) {
        const std::string staff_no = "X" + std::to_string(++n) + attack;
        must(store->add_person(clerk, {staff_no, attack, attack}));
        const store::Person person = must(store->person(staff_no));
        EXPECT_EQ(person.staff_no, staff_no);
        EXPECT_EQ(person.name, attack);
        EXPECT_EQ(person.department, attack);
    }
    ASSERT_EQ(must(store->people()).size(), attacks.size());
    n = 0;
    for (const std::string& attack : attacks) {
        const std::string staff_no = "X" + std::to_string(++n) + attack;
        const store::PersonPage page = must(store->search_people(store::PersonQuery{staff_no, std::nullopt, 0, 50}));
        ASSERT_EQ(page.people.size(), 1u) << attack;
        EXPECT_EQ(page.people[0].person.staff_no, staff_no);
    }
    EXPECT_TRUE(must(store->cards()).empty());
}

// A staff number is registered once; a blank name or a control character is refused; nothing changes.
TEST_P(FormatAndPeople, badOrDuplicatePeopleAreRefused) {
    add_person("E1");
    const std::string before = snapshot();
    auto duplicate = store->add_person(clerk, {"E1", "Other", ""});
    ASSERT_FALSE(duplicate.has_value());
    EXPECT_EQ(duplicate.error().code, Errc::conflict);
    EXPECT_NE(duplicate.error().message.find("E1"), std::string::npos);
    for (const store::PersonInput& bad :
         {store::PersonInput{"", "Name", ""}, store::PersonInput{"E2", "  ", ""},
          store::PersonInput{"E3", "Bad\nName", ""}, store::PersonInput{"E4", std::string(256, 'x'), ""}}) {
        auto result = store->add_person(clerk, bad);
        ASSERT_FALSE(result.has_value());
        EXPECT_EQ(result.error().code, Errc::invalid_argument);
    }
    EXPECT_EQ(snapshot(), before);
    auto missing = store->person("nobody");
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().code, Errc::not_found);
}

// A staff number, name or department holding a control character (C0, DEL,
// C1), a bidirectional control or bytes that are not UTF-8 is refused with
// the field and the position; a device name too; nothing changes.
TEST_P(FormatAndPeople, hostileTextIsRefusedNamingThePosition) {
    add_person("E1");
    const std::string before = snapshot();
    const std::string hostile[] = {"Li\x7F", "Li\xC2\x85", "Li\xC2\x9B[2J",  "Li\xE2\x80\xAEgnaW", "Li\xE2\x81\xA6x",
                                   "Li\xFF", "Li\xC0\x80", "Li\xED\xA0\x80", "Li\x1B[31m",         "Li\tWang"};
    for (const std::string& text : hostile) {
        for (int field = 0; field < 3; ++field) {
            store::PersonInput input{"E9", "Wang", "Kitchen"};
            (field == 0 ? input.staff_no : field == 1 ? input.name : input.department) = text;
            auto refused = store->add_person(clerk, input);
            ASSERT_FALSE(refused.has_value()) << field << " " << text;
            EXPECT_EQ(refused.error().code, Errc::invalid_argument);
            EXPECT_NE(refused.error().message.find("at character 3 (byte 2)"), std::string::npos)
                << refused.error().message;
            EXPECT_NE(refused.error().message.find(field == 0   ? "staff number"
                                                   : field == 1 ? "the name"
                                                                : "department"),
                      std::string::npos)
                << refused.error().message;
        }
        store::TerminalSpec terminal;
        terminal.name = "t" + text;
        terminal.address = store::TcpAddress{"127.0.0.1", 5020};
        auto device = store->add_terminal(clerk, terminal);
        ASSERT_FALSE(device.has_value()) << text;
        EXPECT_EQ(device.error().code, Errc::invalid_argument);
    }
    EXPECT_EQ(snapshot(), before);
    // A joiner, quotes and Chinese are a name's, not an attack.
    const auto kept = store->add_person(clerk, {"E9", "王\xE2\x80\x8D小明 O'Brien", "食堂"});
    EXPECT_TRUE(kept.has_value()) << kept.error().message;
}

// Every change writes one audit line naming the caller's uid; a read writes none.
TEST_P(FormatAndPeople, changesAreAuditedWithTheCallersUid) {
    must(store->add_person(store::Actor{4242}, {"E1", "Li", ""}));
    must(store->people());
    const auto log = must(store->audit_log());
    ASSERT_EQ(log.size(), 1u);
    EXPECT_EQ(log[0].uid, 4242);
    EXPECT_EQ(log[0].action, "person.add");
    EXPECT_EQ(log[0].at, now);
}

}  // namespace
}  // namespace cardd::test
