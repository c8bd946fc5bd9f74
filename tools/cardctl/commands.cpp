#include "tools/cardctl/commands.hpp"

#include <cstdlib>

#include "tools/cardctl/argument_syntax.hpp"
#include "tools/cardctl/amount.hpp"
#include "tools/cardctl/command_values.hpp"
#include "tools/cardctl/option_checks.hpp"

#ifndef CARDD_VERSION
#define CARDD_VERSION "unknown"
#endif

namespace cardd::cardctl {

Json make_message(std::string_view command, Json arguments) {
    Json message = Json::object();
    message["command"] = command;
    if (!arguments.empty()) message["arguments"] = std::move(arguments);
    return message;
}

std::int64_t number_of(const std::string& text) { return parse_number(text, "number").value(); }

std::int64_t cents_of(const std::string& text) { return parse_amount(text).value(); }

Json targets_of(const std::string& text) {
    const auto targets = parse_device_targets(text).value();
    if (std::holds_alternative<AllDevices>(targets)) return "all";
    return std::get<std::vector<std::string>>(targets);
}

Json numbers_of(const std::string& text) { return parse_number_list(text, "number").value(); }

CommandLine::CommandLine() : app_(std::make_unique<CLI::App>()), v_(std::make_unique<Values>()) {
    CLI::App& app = *app_;
    app.name("cardctl");
    app.description(
        "cardctl: the card centre's command-line client. It asks cardd, over its control socket, to set up\n"
        "the card format and devices, issue cards, take top-ups, report and lift losses, replace and take\n"
        "back cards, and push blacklists to the consumption terminals. Commands that write a card ask\n"
        "for it on the encoder and wait for it (--wait). Money is in yuan (12.50).");
    app.footer(
        "Run `cardctl COMMAND --help` for a command's options.\n"
        "Exit status: 0 done; 1 cardd refused or failed (its message is printed); 2 usage error or bad\n"
        "input file (nothing was sent); 3 cannot connect to cardd; 4 no valid answer from cardd (broken\n"
        "connection, timeout: the outcome is unknown); 5 done in part (rows of a batch, terminals of a\n"
        "resync or collection failed: listed in the output).");
    app.require_subcommand(1);
    app.failure_message([](const CLI::App* parsed, const CLI::Error& e) {
        // CLI11 reports a missing subcommand before words it did not understand; name those words too.
        std::string text = std::string("cardctl: ") + e.what();
        const auto unknown = parsed->remaining(true);
        if (!unknown.empty()) text += " (not understood: " + CLI::detail::join(unknown, " ") + ")";
        return text + "\nRun `cardctl --help` or `cardctl COMMAND --help` for usage.\n";
    });
    app.fallthrough();  // global options may also follow the command
    app.set_version_flag("--version", std::string("cardctl ") + CARDD_VERSION);
    add_global_options();
    add_format_commands();
    add_device_commands();
    add_person_commands();
    add_card_commands();
    add_report_commands();
    add_encoder_commands();
    add_backup_command();
    add_account_commands();
}

CommandLine::~CommandLine() = default;

void CommandLine::add_global_options() {
    CLI::App& app = *app_;
    v_->socket = default_socket;
    app.add_option("--socket", v_->socket, "cardd's control socket")
        ->type_name("PATH")
        ->envname("CARDD_SOCKET")
        ->capture_default_str()
        ->check(utf8_check());
    app.add_flag("--json", v_->json,
                 "Print cardd's answer as one JSON line (money in cents, times in Unix seconds) instead of tables; "
                 "progress still goes to stderr");
    app.add_option("--timeout", v_->timeout, "Seconds to wait for cardd to say something; 0 waits forever")
        ->type_name("SECONDS")
        ->capture_default_str()
        ->check(number_check("timeout"));
}

GlobalOptions CommandLine::globals() const { return {v_->socket, v_->json, number_of(v_->timeout)}; }

std::expected<Request, std::string> CommandLine::request() const {
    if (!result_) return std::unexpected("no command given");
    return *result_;
}

void CommandLine::add_format_commands() {
    CLI::App* format = app_->add_subcommand("format", "Card format (卡格式): the sector cards use, card number limits");
    format->require_subcommand(1);

    CLI::App* show = format->add_subcommand("show", "Show the card type, format, sector and card number limits");
    on_parsed(show, result_, [] { return make_request(make_message("format-show"), View::format); });

    CLI::App* set = format->add_subcommand(
        "set",
        "Set the sector cards use (1 to 15) and the card number limits (admin); cards already issued keep "
        "their sector, so set this before issuing");
    set->add_option("--sector", v_->sector, "Sector of the card that holds the purse, 1 to 15")
        ->type_name("N")
        ->required()
        ->check(number_check("sector"));
    set->add_option("--card-no-digits", v_->card_no_digits, "Digits of a card number, at most 6 (unchanged if absent)")
        ->type_name("N")
        ->check(number_check("card number digits"));
    set->add_option("--max-card-no", v_->max_card_no, "Highest card number, at most 500000 (unchanged if absent)")
        ->type_name("N")
        ->check(number_check("highest card number"));
    on_parsed(set, result_, [v = v_.get()] {
        Json args = Json::object();
        args["sector"] = number_of(v->sector);
        if (!v->card_no_digits.empty()) args["card_no_digits"] = number_of(v->card_no_digits);
        if (!v->max_card_no.empty()) args["max_card_no"] = number_of(v->max_card_no);
        return make_request(make_message("format-set", std::move(args)), View::format);
    });
}

void CommandLine::add_device_commands() {
    CLI::App* device =
        app_->add_subcommand("device", "Terminals (消费机) and card encoders (发卡器): add, list, check, remove");
    device->require_subcommand(1);

    CLI::App* terminal = device->add_subcommand(
        "add-terminal",
        "Register a consumption terminal (admin), on Modbus TCP (--tcp) or on an RS-485 bus (--rtu with --baud). "
        "Terminals on one serial device share the bus and must use the same baud and parity; --unit tells them apart");
    terminal->add_option("NAME", v_->name, "A name for the terminal, like canteen-1")->required()->check(utf8_check());
    CLI::Option* tcp = terminal->add_option("--tcp", v_->tcp, "Address of a Modbus TCP terminal")
                           ->type_name("HOST:PORT")
                           ->check(host_port_check());
    CLI::Option* rtu = terminal->add_option("--rtu", v_->rtu, "Serial device of the RS-485 bus, like /dev/ttyUSB0")
                           ->type_name("DEVICE")
                           ->check(utf8_check());
    CLI::Option* baud = terminal->add_option("--baud", v_->baud, "Baud rate of the bus, like 19200")
                            ->type_name("N")
                            ->check(number_check("baud rate"));
    CLI::Option* parity =
        terminal->add_option("--parity", v_->parity, "Parity of the bus: N, E or O (cardd's default: E)")
            ->type_name("N|E|O")
            ->transform(CLI::IsMember({"N", "E", "O"}, CLI::ignore_case));
    terminal->add_option("--unit", v_->unit, "Modbus unit id of the terminal (cardd's default: 1)")
        ->type_name("N")
        ->check(number_check("unit id"));
    tcp->excludes(rtu);
    tcp->excludes(baud);
    tcp->excludes(parity);
    rtu->needs(baud);
    baud->needs(rtu);
    parity->needs(rtu);
    on_parsed(terminal, result_, [v = v_.get(), tcp, rtu] {
        if (tcp->count() == 0 && rtu->count() == 0)
            throw CLI::RequiredError("--tcp HOST:PORT or --rtu DEVICE --baud N");
        Json args = Json::object();
        args["name"] = v->name;
        if (tcp->count() > 0) {
            args["tcp"] = v->tcp;
        } else {
            args["rtu"] = v->rtu;
            args["baud"] = number_of(v->baud);
            if (!v->parity.empty()) args["parity"] = v->parity;
        }
        if (!v->unit.empty()) args["unit"] = number_of(v->unit);
        return make_request(make_message("device-add-terminal", std::move(args)));
    });

    CLI::App* encoder = device->add_subcommand(
        "add-encoder", "Register a USB card encoder on cardd's host (admin), or the simulated encoder (--sim)");
    encoder->add_option("NAME", v_->name, "A name for the encoder, like desk")->required()->check(utf8_check());
    CLI::Option* usb = encoder->add_option("--usb", v_->usb, "USB vendor and product id in hex, like 072f:2200")
                           ->type_name("VID:PID")
                           ->transform(usb_id_check());
    CLI::Option* sim =
        encoder->add_flag("--sim", v_->sim, "The simulated encoder with virtual cards (trying cardd out, tests)");
    usb->excludes(sim);
    on_parsed(encoder, result_, [v = v_.get(), usb, sim] {
        if (usb->count() == 0 && sim->count() == 0) throw CLI::RequiredError("--usb VID:PID or --sim");
        Json args = Json::object();
        args["name"] = v->name;
        if (usb->count() > 0) {
            args["usb"] = v->usb;
        } else {
            args["sim"] = true;
        }
        return make_request(make_message("device-add-encoder", std::move(args)));
    });

    CLI::App* list = device->add_subcommand(
        "list",
        "List terminals and encoders with their state: a terminal is level, behind, failed (in the retry "
        "queue) or unknown (never reached)");
    on_parsed(list, result_, [] { return make_request(make_message("device-list"), View::device_list); });

    CLI::App* remove = device->add_subcommand("remove", "Remove a terminal or encoder from the registry (admin)");
    remove->add_option("NAME", v_->name, "The device's name")->required()->check(utf8_check());
    on_parsed(remove, result_, [v = v_.get()] {
        return make_request(make_message("device-remove", Json{{"name", v->name}}));
    });

    CLI::App* accept = device->add_subcommand(
        "accept-serial",
        "A terminal replaced at its address (admin): forget the serial on record, so the terminal there now is "
        "taken as a new one, its records read and its blacklist brought level. Until then a terminal answering "
        "with another serial is refused (swapped cables?)");
    accept->add_option("NAME", v_->name, "The terminal's name")->required()->check(utf8_check());
    on_parsed(accept, result_, [v = v_.get()] {
        return make_request(make_message("device-accept-serial", Json{{"name", v->name}}));
    });

    CLI::App* params =
        device->add_subcommand("read-params",
                               "Read a device now to check its connection: a terminal's state block (serial, firmware, "
                               "blacklist version, checksum, records, clock), an encoder's firmware and card presence");
    params->add_option("NAME", v_->name, "The device's name")->required()->check(utf8_check());
    on_parsed(params, result_, [v = v_.get()] {
        return make_request(make_message("device-read-params", Json{{"name", v->name}}), View::device_params);
    });
}

void CommandLine::add_report_commands() {
    CLI::App* losses = app_->add_subcommand(
        "losses",
        "Find loss reports (挂失记录) by the date they were reported or by card serial (流水号), to unlock them");
    losses->add_option("--from", v_->from, "Reported on or after this day (local time) or Unix second")
        ->type_name("DATE")
        ->check(date_check(DayEdge::start));
    losses->add_option("--to", v_->to, "Reported on or before this day (to its last second) or Unix second")
        ->type_name("DATE")
        ->check(date_check(DayEdge::end));
    losses->add_option("--serial", v_->serial, "Card serial number (流水号)")
        ->type_name("N")
        ->check(number_check("serial"));
    losses->add_flag("--open", v_->open, "Only losses not yet unlocked");
    on_parsed(losses, result_, [v = v_.get()] {
        Json args = Json::object();
        if (!v->from.empty()) args["from"] = parse_date(v->from, DayEdge::start).value();
        if (!v->to.empty()) args["to"] = parse_date(v->to, DayEdge::end).value();
        if (args.contains("from") && args.contains("to") &&
            args["from"].get<std::int64_t>() > args["to"].get<std::int64_t>()) {
            throw CLI::ValidationError("--from", "'" + v->from + "' is after --to '" + v->to + "'");
        }
        if (!v->serial.empty()) args["serial"] = number_of(v->serial);
        if (v->open) args["open"] = true;
        return make_request(make_message("losses", std::move(args)), View::losses);
    });

    CLI::App* audit = app_->add_subcommand(
        "audit", "Read the audit log (操作日志): who changed what and when, on the socket or through the console");
    audit->add_option("--account", v_->account, "Lines of this console account")
        ->type_name("NAME")
        ->check(utf8_check());
    audit->add_option("--uid", v_->audit_uid, "Lines of this uid (the console's uid: every console line)")
        ->type_name("UID")
        ->check(number_check("uid"));
    audit->add_option("--action", v_->action, "This action (card.topup), or every one of a kind (card.)")
        ->type_name("ACTION")
        ->check(utf8_check());
    audit->add_option("--from", v_->from, "At or after this day (local time) or Unix second")
        ->type_name("DATE")
        ->check(date_check(DayEdge::start));
    audit->add_option("--to", v_->to, "At or before this day (to its last second) or Unix second")
        ->type_name("DATE")
        ->check(date_check(DayEdge::end));
    audit->add_option("--limit", v_->limit, "The newest N lines (1 to 1000, default 100)")
        ->type_name("N")
        ->check(number_check("number of lines"));
    on_parsed(audit, result_, [v = v_.get()] {
        Json args = Json::object();
        if (!v->account.empty()) args["account"] = v->account;
        if (!v->audit_uid.empty()) args["uid"] = number_of(v->audit_uid);
        if (!v->action.empty()) args["action"] = v->action;
        if (!v->from.empty()) args["from"] = parse_date(v->from, DayEdge::start).value();
        if (!v->to.empty()) args["to"] = parse_date(v->to, DayEdge::end).value();
        if (!v->limit.empty()) args["limit"] = number_of(v->limit);
        return make_request(make_message("audit-log", std::move(args)), View::audit);
    });

    CLI::App* failed = app_->add_subcommand(
        "failed",
        "List the terminals that did not take a blacklist change, the card numbers each is missing, why, "
        "and when cardd retries");
    on_parsed(failed, result_, [] { return make_request(make_message("failed"), View::failed); });

    CLI::App* resync = app_->add_subcommand(
        "resync",
        "Bring terminals level with the store now (admin): all failed terminals (--failed), chosen "
        "terminals (--device), or resend chosen card numbers to chosen terminals (--cards with --devices, "
        "重新下载失败卡号)");
    CLI::Option* all_failed = resync->add_flag("--failed", v_->failed, "Every terminal in the failed list");
    CLI::Option* device =
        resync->add_option("--device", v_->device, "These terminals")->type_name("NAME,...")->check(name_list_check());
    CLI::Option* cards =
        resync->add_option("--cards", v_->cards, "Put these card numbers on the blacklists of --devices")
            ->type_name("N,...")
            ->check(number_list_check("card number"));
    CLI::Option* devices = resync->add_option("--devices", v_->devices, "The terminals that get --cards")
                               ->type_name("NAME,...")
                               ->check(name_list_check());
    all_failed->excludes(device)->excludes(cards)->excludes(devices);
    device->excludes(cards)->excludes(devices);
    cards->needs(devices);
    devices->needs(cards);
    on_parsed(resync, result_, [v = v_.get(), all_failed, device, cards] {
        Json args = Json::object();
        if (all_failed->count() > 0) {
            args["failed"] = true;
        } else if (device->count() > 0) {
            args["devices"] = parse_name_list(v->device).value();
        } else if (cards->count() > 0) {
            args["cards"] = numbers_of(v->cards);
            args["devices"] = parse_name_list(v->devices).value();
        } else {
            throw CLI::RequiredError("--failed, --device NAME,... or --cards N,... --devices NAME,...");
        }
        return make_request(make_message("resync", std::move(args)), View::resync);
    });

    CLI::App* collect = app_->add_subcommand(
        "collect",
        "Collect transaction records from terminals now; each record is stored once however often it is "
        "collected");
    collect->add_option("--devices", v_->devices, "These terminals, or all (the default)")
        ->type_name("all|NAME,...")
        ->check(device_targets_check());
    on_parsed(collect, result_, [v = v_.get()] {
        Json args = Json::object();
        args["devices"] = v->devices.empty() ? Json("all") : targets_of(v->devices);
        return make_request(make_message("collect", std::move(args)), View::collect);
    });

    CLI::App* pending = app_->add_subcommand(
        "pending",
        "List the card writes not yet settled (a card taken away mid-write, or cardd stopped), with "
        "their age; placing the card on an encoder settles each");
    on_parsed(pending, result_, [] { return make_request(make_message("pending"), View::pending); });

    CLI::App* status = app_->add_subcommand(
        "status",
        "cardd's version, uptime, database, counts of cards and people, terminals by state, the retry "
        "queue, pending batches, open card writes, and each terminal's last collection");
    on_parsed(status, result_, [] { return make_request(make_message("status"), View::status); });
}

void CommandLine::add_backup_command() {
    CLI::App* backup = app_->add_subcommand(
        "backup",
        "Copy the SQLite store, consistent, while cardd runs (admin). cardd writes FILE as its own user, mode "
        "0600, and checks the copy; a MariaDB store is backed up with mariadb-dump or mariabackup instead");
    backup->add_option("FILE", v_->file, "Where cardd writes the copy: an absolute path, a file that does not exist")
        ->required()
        ->check(utf8_check());
    on_parsed(backup, result_, [v = v_.get()] {
        return make_request(make_message("store-backup", Json{{"path", v->file}}), View::backup);
    });
}

}  // namespace cardd::cardctl
