// Finding people for the staff console: a search by text and department,
// page by page, each person with their live card; the departments; numbers
// for new cards. On both backends, and at 50,000 people.

#include <chrono>

#include "tests/store/store_fixture.hpp"

namespace cardd::test {
namespace {

using store::CardNo;
using store::CardState;
using store::Errc;
using store::PersonQuery;

/// A connection that counts the statements a store sends through it.
class CountingConnection : public store::SqlConnection {
public:
    CountingConnection(std::unique_ptr<store::SqlConnection> inner, int& queries)
        : inner_(std::move(inner)), queries_(queries) {}
    store::Dialect dialect() const noexcept override { return inner_->dialect(); }
    store::Result<std::uint64_t> execute(std::string_view sql, std::span<const store::Value> params) override {
        ++queries_;
        return inner_->execute(sql, params);
    }
    store::Result<std::vector<store::Row>> query(std::string_view sql, std::span<const store::Value> params) override {
        ++queries_;
        return inner_->query(sql, params);
    }
    std::int64_t last_insert_id() override { return inner_->last_insert_id(); }
    store::Result<void> begin() override { return inner_->begin(); }
    store::Result<void> commit() override { return inner_->commit(); }
    store::Result<void> rollback() override { return inner_->rollback(); }

private:
    std::unique_ptr<store::SqlConnection> inner_;
    int& queries_;
};

class PeopleSearch : public StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        must(store->add_person(clerk, {"E003", "Zhang San", "Kitchen"}));
        must(store->add_person(clerk, {"E001", "张三", "食堂"}));
        must(store->add_person(clerk, {"E002", "Li Si", "Office"}));
        must(store->add_person(clerk, {"K010", "Wang Wu", "Kitchen"}));
        must(store->add_person(clerk, {"E004", "Zhao Liu", ""}));
        issue("E003", 1003, 2500);
        issue("E002", 1002, 1000);
        must(store->report_loss(clerk, 1002, store::PushTarget::none()));
        issue("K010", 1010, 700);
        must(store->return_card(clerk, 1010, true));
    }

    std::vector<std::string> staff_nos(const store::PersonPage& page) {
        std::vector<std::string> out;
        for (const auto& match : page.people) out.push_back(match.person.staff_no);
        return out;
    }
    store::PersonPage search(std::string text, std::optional<std::string> department = std::nullopt,
                             std::int64_t offset = 0, std::int64_t limit = 50) {
        return must(store->search_people(PersonQuery{std::move(text), std::move(department), offset, limit}));
    }
};
INSTANTIATE_FOR_BOTH_BACKENDS(PeopleSearch);

using Names = std::vector<std::string>;

// The text is found in names, staff numbers and departments, ASCII letters in
// any case, Chinese as given; everyone comes in staff number order.
TEST_P(PeopleSearch, textIsFoundInNameStaffNumberAndDepartment) {
    EXPECT_EQ(staff_nos(search("")), (Names{"E001", "E002", "E003", "E004", "K010"}));
    EXPECT_EQ(staff_nos(search("zhang")), (Names{"E003"}));
    EXPECT_EQ(staff_nos(search("ZHA")), (Names{"E003", "E004"}));
    EXPECT_EQ(staff_nos(search("张")), (Names{"E001"}));
    EXPECT_EQ(staff_nos(search("食堂")), (Names{"E001"}));
    EXPECT_EQ(staff_nos(search("e00")), (Names{"E001", "E002", "E003", "E004"}));
    EXPECT_EQ(staff_nos(search("kitch")), (Names{"E003", "K010"}));
    EXPECT_EQ(staff_nos(search("nobody")), Names{});
    // No wildcards: % and _ are plain characters.
    EXPECT_EQ(staff_nos(search("%")), Names{});
    EXPECT_EQ(staff_nos(search("_")), Names{});
}

// A department filter takes exactly that department, with or without text.
TEST_P(PeopleSearch, departmentIsMatchedExactly) {
    EXPECT_EQ(staff_nos(search("", "Kitchen")), (Names{"E003", "K010"}));
    EXPECT_EQ(staff_nos(search("", "kitchen")), Names{});
    EXPECT_EQ(staff_nos(search("", "Kitch")), Names{});
    EXPECT_EQ(staff_nos(search("wang", "Kitchen")), (Names{"K010"}));
    EXPECT_EQ(staff_nos(search("", "")), (Names{"E004"}));
}

// Each person comes with their live card (active or lost) and its balance;
// a returned card is no live card.
TEST_P(PeopleSearch, eachPersonComesWithTheirLiveCard) {
    const auto page = search("");
    ASSERT_EQ(page.people.size(), 5u);
    EXPECT_FALSE(page.people[0].card.has_value());
    ASSERT_TRUE(page.people[1].card.has_value());
    EXPECT_EQ(page.people[1].card->card_no, 1002);
    EXPECT_EQ(page.people[1].card->state, CardState::lost);
    EXPECT_EQ(page.people[1].card->balance, 1000);
    EXPECT_EQ(page.people[1].card->serial, must(store->card(1002)).serial);
    ASSERT_TRUE(page.people[2].card.has_value());
    EXPECT_EQ(page.people[2].card->card_no, 1003);
    EXPECT_EQ(page.people[2].card->state, CardState::active);
    EXPECT_EQ(page.people[2].card->balance, 2500);
    EXPECT_FALSE(page.people[4].card.has_value());
    EXPECT_EQ(page.people[1].person.name, "Li Si");
    EXPECT_EQ(page.people[1].person.department, "Office");
    EXPECT_EQ(page.people[1].person.created_at, now);
    EXPECT_GT(page.people[1].person.id, 0);
}

// Pages: offset and limit choose the page, total counts every match.
TEST_P(PeopleSearch, pagesCountEveryMatch) {
    auto page = search("", std::nullopt, 1, 2);
    EXPECT_EQ(staff_nos(page), (Names{"E002", "E003"}));
    EXPECT_EQ(page.total, 5);
    page = search("e0", std::nullopt, 4, 2);
    EXPECT_EQ(staff_nos(page), Names{});
    EXPECT_EQ(page.total, 4);
    page = search("", "Kitchen", 0, 1);
    EXPECT_EQ(staff_nos(page), (Names{"E003"}));
    EXPECT_EQ(page.total, 2);
    EXPECT_EQ(store->search_people({"", std::nullopt, -1, 5}).error().code, Errc::invalid_argument);
    EXPECT_EQ(store->search_people({"", std::nullopt, 0, 0}).error().code, Errc::invalid_argument);
    EXPECT_EQ(store->search_people({std::string(256, 'x'), std::nullopt, 0, 5}).error().code, Errc::invalid_argument);
}

// A search is two statements, the page and the count, however many people it shows.
TEST_P(PeopleSearch, aSearchIsOneQueryWithItsCount) {
    int queries = 0;
    auto counted =
        must(store::CardStore::open(std::make_unique<CountingConnection>(connect(), queries), [this] { return now; }));
    // A list: the page, then the count.
    queries = 0;
    const auto page = must(counted->search_people({"", std::nullopt, 0, 500}));
    EXPECT_EQ(page.people.size(), 5u);
    EXPECT_EQ(page.total, 5);
    EXPECT_EQ(queries, 2);
    // A text search: the page carries its count.
    const std::string any = page.people[1].person.name;
    queries = 0;
    const auto found = must(counted->search_people({any, std::nullopt, 0, 500}));
    EXPECT_GE(found.total, 1);
    EXPECT_EQ(found.total, static_cast<std::int64_t>(found.people.size()));
    EXPECT_EQ(queries, 1);
    // Past the end of a search: no row carries the count, so it is asked for.
    queries = 0;
    const auto past = must(counted->search_people({any, std::nullopt, 100, 2}));
    EXPECT_TRUE(past.people.empty());
    EXPECT_EQ(past.total, found.total);
    EXPECT_EQ(queries, 2);
    EXPECT_EQ(must(counted->search_people({"nobody-at-all", std::nullopt, 0, 2})).total, 0);
    queries = 0;
    must(counted->departments());
    EXPECT_EQ(queries, 1);
}

// Departments by name, with their number of people; people without one under "".
TEST_P(PeopleSearch, departmentsAreCounted) {
    const auto departments = must(store->departments());
    ASSERT_EQ(departments.size(), 4u);
    EXPECT_EQ(departments[0].name, "");
    EXPECT_EQ(departments[0].people, 1);
    EXPECT_EQ(departments[1].name, "Kitchen");
    EXPECT_EQ(departments[1].people, 2);
    EXPECT_EQ(departments[2].name, "Office");
    EXPECT_EQ(departments[3].name, "食堂");
}

// Numbers for new cards follow the highest ever issued, pass over numbers
// taken, start where asked, and stop at the card format's maximum.
TEST_P(PeopleSearch, freeCardNumbersFollowTheHighestAndStopAtTheMaximum) {
    using Numbers = std::vector<CardNo>;
    const Numbers none;
    EXPECT_EQ(must(store->free_card_numbers(3, std::nullopt, none)), (Numbers{1011, 1012, 1013}));
    const Numbers taken{1012, 1014};
    EXPECT_EQ(must(store->free_card_numbers(3, std::nullopt, taken)), (Numbers{1011, 1013, 1015}));
    EXPECT_EQ(must(store->free_card_numbers(4, 1001, none)), (Numbers{1001, 1004, 1005, 1006}));
    EXPECT_EQ(must(store->free_card_numbers(0, std::nullopt, none)), Numbers{});
    store::CardFormat format = must(store->card_format());
    format.max_card_no = 1012;
    must(store->set_card_format(clerk, format));
    EXPECT_EQ(must(store->free_card_numbers(3, std::nullopt, none)), (Numbers{1011, 1012}));
    EXPECT_EQ(must(store->free_card_numbers(3, 2000, none)), Numbers{});
    EXPECT_EQ(store->free_card_numbers(1, 0, none).error().code, Errc::invalid_argument);
}

class ManyPeople : public StoreTest {};
INSTANTIATE_FOR_BOTH_BACKENDS(ManyPeople);

// 50,000 people, most with a card: a search, a page far down and the
// departments each come back quickly, the count exact.
TEST_P(ManyPeople, searchStaysFastWithFiftyThousandPeople) {
    constexpr int people = 50'000;
    {
        auto db = connect();
        must(db->begin());
        for (int first = 0; first < people; first += 500) {
            std::string persons = "INSERT INTO people (id, staff_no, name, department, created_at) VALUES ";
            std::string cards =
                "INSERT INTO cards (serial, card_no, person_id, holder, state, issued_at, balance) VALUES ";
            std::string ledger = "INSERT INTO ledger (card_no, kind, amount, cash, at) VALUES ";
            for (int i = first; i < first + 500; ++i) {
                const std::string id = std::to_string(i + 1);
                const std::string sep = i > first ? ", " : "";
                persons += sep + "(" + id + ", 'S" + std::to_string(100000 + i) + "', 'Person " + id + "', 'Dept " +
                           std::to_string(i % 40) + "', 0)";
                cards += sep + "(" + id + ", " + id + ", " + id + ", " + (i % 10 == 0 ? "NULL" : id) + ", '" +
                         (i % 10 == 0 ? "returned" : "active") + "', 0, 100)";
                ledger += sep + "(" + id + ", 'opening', 100, 100, 0)";
            }
            must(db->execute(persons));
            must(db->execute(cards));
            must(db->execute(ledger));
        }
        must(db->commit());
    }
    const auto started = std::chrono::steady_clock::now();
    const auto everyone = must(store->search_people({"person 4", std::nullopt, 0, 500}));
    const auto far = must(store->search_people({"", "Dept 7", 1200, 50}));
    const auto departments = must(store->departments());
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(everyone.total, 11111);  // 4, 40..49, 400..499, 4000..4999, 40000..49999
    EXPECT_EQ(everyone.people.size(), 500u);
    EXPECT_EQ(far.total, 1250);
    ASSERT_EQ(far.people.size(), 50u);
    EXPECT_EQ(far.people[0].person.department, "Dept 7");
    ASSERT_TRUE(far.people[0].card.has_value());
    EXPECT_EQ(far.people[0].card->balance, 100);
    EXPECT_EQ(departments.size(), 40u);
    EXPECT_EQ(departments[0].people, 1250);
    // Generous for a loaded machine: a plan that reads each person's card
    // with a query of its own takes minutes here, not seconds.
    EXPECT_LT(took, std::chrono::seconds(5));
}

}  // namespace
}  // namespace cardd::test
