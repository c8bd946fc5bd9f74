#include <algorithm>

#include "store/card_store.hpp"
#include "store/card_store_internal.hpp"

namespace cardd::store {

using namespace detail;

namespace {

constexpr std::string_view supported_type = "IC card";
constexpr std::string_view supported_format = "standard consumption IC card";
constexpr CardNo card_no_ceiling = 500000;

CardNo largest_with_digits(int digits) {
    CardNo largest = 1;
    for (int i = 0; i < digits; ++i) largest *= 10;
    return largest - 1;
}

Result<void> validate(const CardFormat& format) {
    if (format.card_type != supported_type) {
        return fail(Errc::invalid_argument, "card type must be '" + std::string(supported_type) + "'");
    }
    if (format.format != supported_format) {
        return fail(Errc::invalid_argument, "card format must be '" + std::string(supported_format) + "'");
    }
    if (format.sector < 1 || format.sector > 15) {
        return fail(Errc::invalid_argument, "sector " + std::to_string(format.sector) +
                                                " is out of range: choose 1 to 15 (sector 0 holds the "
                                                "manufacturer block)");
    }
    if (format.card_no_digits < 1 || format.card_no_digits > 6) {
        return fail(Errc::invalid_argument, "card number length " + std::to_string(format.card_no_digits) +
                                                " is out of range: at most 6 digits");
    }
    if (format.max_card_no < 1 || format.max_card_no > card_no_ceiling) {
        return fail(Errc::invalid_argument, "maximum card number " + std::to_string(format.max_card_no) +
                                                " is out of range: 1 to " + std::to_string(card_no_ceiling));
    }
    if (format.max_card_no > largest_with_digits(format.card_no_digits)) {
        return fail(Errc::invalid_argument, "maximum card number " + std::to_string(format.max_card_no) +
                                                " has more than " + std::to_string(format.card_no_digits) + " digits");
    }
    return {};
}

CardFormat format_from_row(const Row& row) {
    CardFormat format;
    format.card_type = as_text(row[0]);
    format.format = as_text(row[1]);
    format.sector = static_cast<int>(as_int(row[2]));
    format.card_no_digits = static_cast<int>(as_int(row[3]));
    format.max_card_no = as_int(row[4]);
    return format;
}

constexpr std::string_view select_format =
    "SELECT card_type, format, sector, card_no_digits, max_card_no FROM card_format WHERE id = 1";

}  // namespace

Result<CardFormat> CardStore::card_format() {
    CARDD_TRY(row, query_one(*db_, select_format));
    if (!row) return fail(Errc::storage, "store: the card format row is missing");
    return format_from_row(*row);
}

Result<CardFormat> CardStore::set_card_format(const Actor& actor, const CardFormat& format) {
    CARDD_TRY_VOID(validate(format));
    return transaction([&]() -> Result<CardFormat> {
        CARDD_TRY(current, card_format());
        // Cards already written keep their data in the old sector and their
        // numbers must stay valid, so those two cannot move under them.
        CARDD_TRY(live, query_int(*db_, "SELECT COUNT(*) FROM cards WHERE state IN ('active', 'lost')"));
        if (live > 0 && format.sector != current.sector) {
            return fail(Errc::conflict, "the sector cannot change while " + std::to_string(live) +
                                            " cards are in use: they hold their data in sector " +
                                            std::to_string(current.sector));
        }
        CARDD_TRY(highest, query_int(*db_, "SELECT MAX(card_no) FROM cards"));
        if (highest > format.max_card_no) {
            return fail(Errc::conflict, "card number " + std::to_string(highest) +
                                            " is already issued, above the new maximum " +
                                            std::to_string(format.max_card_no));
        }
        CARDD_TRY(updated, execute(*db_,
                                   "UPDATE card_format SET card_type = ?, format = ?, sector = ?, card_no_digits = ?, "
                                   "max_card_no = ? WHERE id = 1",
                                   {format.card_type, format.format, std::int64_t{format.sector},
                                    std::int64_t{format.card_no_digits}, format.max_card_no}));
        (void)updated;
        CARDD_TRY_VOID(audit(actor, "format.set",
                             "sector=" + std::to_string(format.sector) + " digits=" +
                                 std::to_string(format.card_no_digits) + " max=" + std::to_string(format.max_card_no)));
        return format;
    });
}

Result<void> CardStore::check_card_no(CardNo card_no) {
    CARDD_TRY(format, card_format());
    if (card_no < 1 || card_no > largest_with_digits(format.card_no_digits)) {
        return fail(Errc::invalid_argument, "card number " + std::to_string(card_no) + " must have 1 to " +
                                                std::to_string(format.card_no_digits) + " digits");
    }
    if (card_no > format.max_card_no) {
        return fail(Errc::invalid_argument, "card number " + std::to_string(card_no) + " is above the maximum " +
                                                std::to_string(format.max_card_no) + " set in the card format");
    }
    return {};
}

Result<std::vector<CardNo>> CardStore::free_card_numbers(std::size_t count, std::optional<CardNo> from,
                                                         std::span<const CardNo> taken) {
    if (from && *from < 1) return fail(Errc::invalid_argument, "card numbers start at 1, not " + std::to_string(*from));
    CARDD_TRY(format, card_format());
    std::vector<CardNo> numbers;
    if (count == 0) return numbers;
    // Numbers are never reused, so every card ever issued holds its number.
    CARDD_TRY(highest, query_int(*db_, "SELECT MAX(card_no) FROM cards"));
    const CardNo first = from.value_or(highest + 1);
    CARDD_TRY(rows, query(*db_, "SELECT card_no FROM cards WHERE card_no >= ? AND card_no <= ? ORDER BY card_no",
                          {first, format.max_card_no}));
    std::vector<CardNo> used(taken.begin(), taken.end());
    for (const Row& row : rows) used.push_back(as_int(row[0]));
    std::ranges::sort(used);
    auto next_used = std::ranges::lower_bound(used, first);
    for (CardNo candidate = first; candidate <= format.max_card_no && numbers.size() < count; ++candidate) {
        while (next_used != used.end() && *next_used < candidate) ++next_used;
        if (next_used != used.end() && *next_used == candidate) continue;
        numbers.push_back(candidate);
    }
    return numbers;
}

}  // namespace cardd::store
