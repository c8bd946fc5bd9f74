#include "store/card_store.hpp"
#include "store/card_store_internal.hpp"
#include "text/forbidden_code_points.hpp"

namespace cardd::store {

using namespace detail;

namespace {

constexpr std::size_t max_field_bytes = 255;

bool is_blank(std::string_view text) { return text.find_first_not_of(" \t\r\n") == std::string_view::npos; }

}  // namespace

// Names are stored verbatim: quotes, semicolons and Chinese are data. Only
// what no person could mean is refused.
Result<void> detail::validate_person(const PersonInput& person) {
    if (is_blank(person.staff_no)) return fail(Errc::invalid_argument, "the staff number is empty");
    if (person.staff_no.size() > 64) return fail(Errc::invalid_argument, "the staff number is longer than 64 bytes");
    if (is_blank(person.name)) return fail(Errc::invalid_argument, "the name is empty");
    if (person.name.size() > max_field_bytes) return fail(Errc::invalid_argument, "the name is longer than 255 bytes");
    if (person.department.size() > max_field_bytes) {
        return fail(Errc::invalid_argument, "the department is longer than 255 bytes");
    }
    const std::pair<std::string_view, std::string_view> fields[] = {
        {"staff number", person.staff_no}, {"name", person.name}, {"department", person.department}};
    for (const auto& [what, field] : fields) {
        if (const auto forbidden = text::first_forbidden(field)) {
            return fail(Errc::invalid_argument, "the " + std::string(what) + " holds " + text::describe(*forbidden) +
                                                    "; names may not hold control characters, bidirectional "
                                                    "controls or bytes that are not UTF-8");
        }
    }
    return {};
}

namespace {

constexpr std::string_view person_select =
    "SELECT p.id, p.staff_no, p.name, p.department, c.card_no, p.created_at FROM people p "
    "LEFT JOIN cards c ON c.holder = p.id ";

Person person_from_row(const Row& row) {
    return Person{as_int(row[0]),  as_text(row[1]),    as_text(row[2]),
                  as_text(row[3]), as_opt_int(row[4]), as_int(row[5])};
}

}  // namespace

Result<Person> CardStore::add_person(const Actor& actor, const PersonInput& input) {
    return transaction([&] { return insert_person(actor, input); });
}

Result<Person> CardStore::insert_person(const Actor& actor, const PersonInput& input) {
    CARDD_TRY_VOID(validate_person(input));
    CARDD_TRY(existing, query_one(*db_, "SELECT id FROM people WHERE staff_no = ?", {input.staff_no}));
    if (existing) return fail(Errc::conflict, "staff number " + input.staff_no + " is already registered");
    const UnixTime created_at = clock_();
    CARDD_TRY_VOID(execute(*db_, "INSERT INTO people (staff_no, name, department, created_at) VALUES (?, ?, ?, ?)",
                           {input.staff_no, input.name, input.department, created_at}));
    const std::int64_t id = db_->last_insert_id();
    CARDD_TRY_VOID(audit(actor, "person.add", "staff_no=" + input.staff_no));
    return Person{id, input.staff_no, input.name, input.department, std::nullopt, created_at};
}

Result<Person> CardStore::person(std::string_view staff_no) {
    CARDD_TRY(row, query_one(*db_, std::string(person_select) + "WHERE p.staff_no = ?", {std::string(staff_no)}));
    if (!row) return fail(Errc::not_found, "no person with staff number " + std::string(staff_no));
    return person_from_row(*row);
}

Result<std::vector<Person>> CardStore::people() {
    CARDD_TRY(rows, query(*db_, std::string(person_select) + "ORDER BY p.staff_no"));
    std::vector<Person> people;
    people.reserve(rows.size());
    for (const Row& row : rows) people.push_back(person_from_row(row));
    return people;
}

namespace {

/// The conditions of a search on people `p`.
/// instr() on lower() finds a substring the same way on both backends, with
/// no wildcard to escape; lower() folds ASCII letters (SQLite folds no
/// other), so Chinese is found as given.
Conditions search_conditions(const PersonQuery& query) {
    Conditions where;
    if (!query.text.empty()) {
        where.add(
            "(instr(lower(p.name), lower(?)) > 0 OR instr(lower(p.staff_no), lower(?)) > 0 "
            "OR instr(lower(p.department), lower(?)) > 0)",
            query.text, query.text, query.text);
    }
    if (query.department) where.add("p.department = ?", *query.department);
    return where;
}

}  // namespace

Result<PersonPage> CardStore::search_people(const PersonQuery& query) {
    if (query.offset < 0) return fail(Errc::invalid_argument, "the offset of a search must not be negative");
    if (query.limit < 1) return fail(Errc::invalid_argument, "the limit of a search must be at least 1");
    if (query.text.size() > max_field_bytes) {
        return fail(Errc::invalid_argument, "the text to search for is longer than 255 bytes");
    }
    const Conditions where = search_conditions(query);
    // The page with each person's live card (holder is set only while the
    // card is active or lost) and its balance, in one query: no query per
    // person, whatever the page size.
    std::vector<Value> page_params = where.params();
    page_params.emplace_back(query.limit);
    page_params.emplace_back(query.offset);
    // A text search reads every person anyway (no index serves a
    // substring), so its total comes with the page as a window count,
    // rather than from a second scan; a list or a department filter walks
    // the staff number index and stops at the page, and counts apart.
    const bool searches_text = !query.text.empty();
    CARDD_TRY(rows, db_->query("SELECT p.id, p.staff_no, p.name, p.department, c.card_no, p.created_at, c.serial, "
                               "c.state, COALESCE(c.balance, 0)" +
                                   std::string(searches_text ? ", COUNT(*) OVER ()" : "") +
                                   " FROM people p LEFT JOIN cards c ON c.holder = p.id WHERE " + where.sql() +
                                   " ORDER BY p.staff_no LIMIT ? OFFSET ?",
                               page_params));
    PersonPage page;
    if (searches_text && !rows.empty()) {
        page.total = as_int(rows.front()[9]);
    } else if (!searches_text || query.offset > 0) {
        // Past the end of a search there is no row to carry the count.
        CARDD_TRY(total, db_->query("SELECT COUNT(*) FROM people p WHERE " + where.sql(), where.params()));
        page.total = total.empty() ? 0 : as_int(total.front()[0]);
    }
    page.people.reserve(rows.size());
    for (const Row& row : rows) {
        PersonMatch match{person_from_row(row), std::nullopt};
        if (match.person.card_no) {
            match.card =
                LiveCard{*match.person.card_no, as_int(row[6]), card_state_from(as_text(row[7])), as_int(row[8])};
        }
        page.people.push_back(std::move(match));
    }
    return page;
}

Result<std::vector<Department>> CardStore::departments() {
    CARDD_TRY(rows, query(*db_, "SELECT department, COUNT(*) FROM people GROUP BY department ORDER BY department"));
    std::vector<Department> departments;
    departments.reserve(rows.size());
    for (const Row& row : rows) departments.push_back({as_text(row[0]), as_int(row[1])});
    return departments;
}

}  // namespace cardd::store
