#include "store/card_store.hpp"
#include "store/card_store_internal.hpp"

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
    for (std::string_view field :
         {std::string_view(person.staff_no), std::string_view(person.name), std::string_view(person.department)}) {
        for (char c : field) {
            if (static_cast<unsigned char>(c) < 0x20) {
                return fail(Errc::invalid_argument, "names may not contain control characters");
            }
        }
    }
    return {};
}

namespace {

constexpr std::string_view person_select =
    "SELECT p.id, p.staff_no, p.name, p.department, c.card_no FROM people p "
    "LEFT JOIN cards c ON c.holder = p.id ";

Person person_from_row(const Row& row) {
    return Person{as_int(row[0]), as_text(row[1]), as_text(row[2]), as_text(row[3]), as_opt_int(row[4])};
}

}  // namespace

Result<Person> CardStore::add_person(const Actor& actor, const PersonInput& input) {
    return transaction([&] { return insert_person(actor, input); });
}

Result<Person> CardStore::insert_person(const Actor& actor, const PersonInput& input) {
    CARDD_TRY_VOID(validate_person(input));
    CARDD_TRY(existing, query_one(*db_, "SELECT id FROM people WHERE staff_no = ?", {input.staff_no}));
    if (existing) return fail(Errc::conflict, "staff number " + input.staff_no + " is already registered");
    CARDD_TRY_VOID(execute(*db_, "INSERT INTO people (staff_no, name, department, created_at) VALUES (?, ?, ?, ?)",
                           {input.staff_no, input.name, input.department, clock_()}));
    const std::int64_t id = db_->last_insert_id();
    CARDD_TRY_VOID(audit(actor, "person.add", "staff_no=" + input.staff_no));
    return Person{id, input.staff_no, input.name, input.department, std::nullopt};
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

}  // namespace cardd::store
