#include "tools/cardctl/option_checks.hpp"

#include "tools/cardctl/amount.hpp"
#include "tools/cardctl/argument_syntax.hpp"
#include "tools/cardctl/text_width.hpp"

namespace cardd::cardctl {

namespace {

// A CLI11 validator from a parser: the empty string means valid. The
// description stays empty so that --help shows only the option's type name.
template <class Parse>
CLI::Validator from_parser(Parse parse) {
    return CLI::Validator(
        [parse](std::string& value) {
            const auto parsed = parse(value);
            return parsed ? std::string() : parsed.error();
        },
        "");
}

}  // namespace

CLI::Validator amount_check() {
    return from_parser([](const std::string& v) { return parse_amount(v); });
}

CLI::Validator number_check(std::string what) {
    return from_parser([what](const std::string& v) { return parse_number(v, what); });
}

CLI::Validator number_list_check(std::string what) {
    return from_parser([what](const std::string& v) { return parse_number_list(v, what); });
}

CLI::Validator name_list_check() {
    return from_parser([](const std::string& v) { return parse_name_list(v); });
}

CLI::Validator staff_list_check() {
    return from_parser([](const std::string& v) { return parse_staff_list(v); });
}

CLI::Validator device_targets_check() {
    return from_parser([](const std::string& v) { return parse_device_targets(v); });
}

CLI::Validator date_check(DayEdge edge) {
    return from_parser([edge](const std::string& v) { return parse_date(v, edge); });
}

CLI::Validator host_port_check() {
    return from_parser([](const std::string& v) { return check_host_port(v); });
}

CLI::Validator usb_id_check() {
    return CLI::Validator(
        [](std::string& value) {
            auto id = parse_usb_id(value);
            if (!id) return id.error();
            value = *id;
            return std::string();
        },
        "");
}

CLI::Validator utf8_check() {
    return CLI::Validator(
        [](std::string& value) -> std::string {
            if (value.empty()) return "must not be empty";
            if (first_invalid_utf8(value)) return "'" + value + "' is not UTF-8 text; set the terminal to UTF-8";
            return {};
        },
        "");
}

}  // namespace cardd::cardctl
