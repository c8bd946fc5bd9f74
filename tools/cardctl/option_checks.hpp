#pragma once
// CLI11 validators for cardctl's values, so a malformed value is a usage
// error (exit 2) named after its option, before anything is sent.

#include <string>

#include <CLI/CLI.hpp>

#include "tools/cardctl/dates.hpp"

namespace cardd::cardctl {

CLI::Validator amount_check();                       ///< yuan, not negative
CLI::Validator number_check(std::string what);       ///< decimal digits
CLI::Validator number_list_check(std::string what);  ///< 1001,1005
CLI::Validator name_list_check();                    ///< canteen-1,canteen-3
CLI::Validator staff_list_check();                   ///< E001,E002
CLI::Validator device_targets_check();               ///< all | canteen-1,canteen-3
CLI::Validator date_check(DayEdge edge);             ///< YYYY-MM-DD or Unix seconds
CLI::Validator host_port_check();                    ///< HOST:PORT
CLI::Validator usb_id_check();                       ///< VID:PID; lower-cases the value
CLI::Validator utf8_check();                         ///< text that is UTF-8 and not empty

}  // namespace cardd::cardctl
