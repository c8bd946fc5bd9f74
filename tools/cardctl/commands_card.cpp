// The person and card commands of cardctl's command line (issuing staff's work).

#include "tools/cardctl/argument_syntax.hpp"
#include "tools/cardctl/command_values.hpp"
#include "tools/cardctl/commands.hpp"
#include "tools/cardctl/issue_csv.hpp"
#include "tools/cardctl/option_checks.hpp"

namespace cardd::cardctl {

namespace {

void add_card_no(CLI::App* sub, std::string& card_no) {
    sub->add_option("CARD_NO", card_no, "The card number")
        ->type_name("N")
        ->required()
        ->check(number_check("card number"));
}

}  // namespace

void CommandLine::add_person_commands() {
    CLI::App* person = app_->add_subcommand("person", "People who carry cards: staff number (工号), name, department");
    person->require_subcommand(1);

    CLI::App* add = person->add_subcommand(
        "add", "Add a person (issuer); with --issue, issue their card in the same step (onboarding): both or neither");
    add->add_option("STAFF_NO", v_->staff_no, "Staff number (工号), like E001")->required()->check(utf8_check());
    add->add_option("--name", v_->person_name, "Full name")->required()->check(utf8_check());
    add->add_option("--dept", v_->dept, "Department")->check(utf8_check());
    CLI::Option* issue = add->add_flag("--issue", v_->issue, "Also issue a card (needs --card-no)");
    CLI::Option* card_no = add->add_option("--card-no", v_->card_no, "Number of the new card")
                               ->type_name("N")
                               ->check(number_check("card number"));
    CLI::Option* opening = add->add_option("--opening", v_->opening, "Opening balance in yuan (default 0)")
                               ->type_name("AMOUNT")
                               ->check(amount_check());
    CLI::Option* cost = add->add_option("--cost", v_->cost, "Card cost in yuan, paid in cash (cardd's default)")
                            ->type_name("AMOUNT")
                            ->check(amount_check());
    issue->needs(card_no);
    card_no->needs(issue);
    opening->needs(issue);
    cost->needs(issue);
    add_encoder_options(add, *v_);
    on_parsed(add, result_, [v = v_.get()] {
        Json args = Json::object();
        args["staff_no"] = v->staff_no;
        args["name"] = v->person_name;
        if (!v->dept.empty()) args["dept"] = v->dept;
        if (v->issue) {
            Json card = Json::object();
            card["card_no"] = number_of(v->card_no);
            if (!v->opening.empty()) card["opening"] = cents_of(v->opening);
            if (!v->cost.empty()) card["cost"] = cents_of(v->cost);
            add_encoder_arguments(card, *v);  // with the card, inside "issue"
            args["issue"] = std::move(card);
            return make_request(make_message("person-add", std::move(args)), View::card);
        }
        if (!v->encoder.empty() || !v->wait.empty()) throw CLI::ValidationError("--encoder and --wait go with --issue");
        return make_request(make_message("person-add", std::move(args)), View::card);
    });

    CLI::App* list = person->add_subcommand("list", "List people with their department and current card");
    on_parsed(list, result_, [] { return make_request(make_message("person-list"), View::person_list); });

    CLI::App* search = person->add_subcommand(
        "search",
        "Find people (viewer): QUERY in the name, staff number or department (ASCII letters in any case, "
        "Chinese as typed), --dept one department; in staff number order, a page at a time, each with "
        "their card and its balance");
    search->add_option("QUERY", v_->query, "Text to find, like zhang, E00 or 张")->check(utf8_check());
    search->add_option("--dept", v_->dept, "Only people of this department, exactly as it is written")
        ->check(utf8_check());
    search->add_option("--offset", v_->offset, "Skip this many matches first (default 0)")
        ->type_name("N")
        ->check(number_check("offset"));
    search->add_option("--limit", v_->limit, "Show at most this many, 1 to 500 (cardd's default: 50)")
        ->type_name("N")
        ->check(number_check("limit"));
    on_parsed(search, result_, [v = v_.get()] {
        Json args = Json::object();
        if (!v->query.empty()) args["query"] = v->query;
        if (!v->dept.empty()) args["department"] = v->dept;
        if (!v->offset.empty()) args["offset"] = number_of(v->offset);
        if (!v->limit.empty()) args["limit"] = number_of(v->limit);
        return make_request(make_message("person-search", std::move(args)), View::person_search);
    });

    CLI::App* departments =
        person->add_subcommand("departments", "List the departments with the number of people in each (viewer)");
    on_parsed(departments, result_, [] { return make_request(make_message("departments"), View::departments); });
}

void CommandLine::add_card_commands() {
    CLI::App* card = app_->add_subcommand("card",
                                          "Cards: issue, top up, refund, look up, read on the encoder, initialise, "
                                          "report lost, unlock, replace, take back");
    card->require_subcommand(1);

    CLI::App* issue = card->add_subcommand(
        "issue",
        "Issue a card (发卡) to a person (issuer): STAFF_NO with --card-no, or a batch: the people\n"
        "of --staff-nos (a selection), or the rows of --csv FILE. The CSV has a header row naming its columns:\n"
        "staff_no, optionally card_no, opening and cost (yuan), name and dept (a row with a name creates the\n"
        "person: onboarding). A file with a broken row is refused whole, naming each broken line. A batch\n"
        "row without a card number gets the next free one (--assign-from). The whole batch is rehearsed\n"
        "before the first card: if any row would be refused, cardd names each and issues nothing\n"
        "(--rehearse only rehearses). Then each row is issued on its own: a card that fails is reported and\n"
        "the others go on");
    CLI::Option* staff =
        issue->add_option("STAFF_NO", v_->staff_no, "Staff number (工号) of the card's holder")->check(utf8_check());
    CLI::Option* card_no = issue->add_option("--card-no", v_->card_no, "Number of the new card")
                               ->type_name("N")
                               ->check(number_check("card number"));
    CLI::Option* opening = issue
                               ->add_option("--opening", v_->opening,
                                            "Opening balance in yuan (default 0); with --staff-nos, of every card")
                               ->type_name("AMOUNT")
                               ->check(amount_check());
    CLI::Option* cost = issue->add_option("--cost", v_->cost, "Card cost in yuan, paid in cash (cardd's default)")
                            ->type_name("AMOUNT")
                            ->check(amount_check());
    CLI::Option* csv =
        issue->add_option("--csv", v_->csv, "Issue one card per row of this CSV file (UTF-8)")->type_name("FILE");
    CLI::Option* staff_nos =
        issue->add_option("--staff-nos", v_->staff_nos, "Issue a card to each of these people, already registered")
            ->type_name("STAFF_NO,...")
            ->check(staff_list_check());
    CLI::Option* assign_from = issue
                                   ->add_option("--assign-from", v_->assign_from,
                                                "Batch rows without a card number get free numbers from N on "
                                                "(default: after the highest ever issued)")
                                   ->type_name("N")
                                   ->check(number_check("card number"));
    CLI::Option* rehearse = issue->add_flag("--rehearse", v_->rehearse,
                                            "Only rehearse the batch: what would be issued, with the numbers assigned");
    csv->excludes(staff)->excludes(card_no)->excludes(opening)->excludes(cost)->excludes(staff_nos);
    staff_nos->excludes(staff)->excludes(card_no);
    staff->needs(card_no);
    card_no->needs(staff);
    add_encoder_options(issue, *v_);
    on_parsed(issue, result_,
              [v = v_.get(), csv, staff, staff_nos, assign_from, rehearse]() -> std::expected<Request, std::string> {
                  const bool batch = csv->count() > 0 || staff_nos->count() > 0;
                  if (!batch && assign_from->count() > 0) {
                      throw CLI::ValidationError("--assign-from", "goes with --csv or --staff-nos");
                  }
                  if (!batch && rehearse->count() > 0) {
                      throw CLI::ValidationError("--rehearse", "goes with --csv or --staff-nos");
                  }
                  if (batch) {
                      Json args = Json::object();
                      std::vector<std::size_t> lines;
                      if (csv->count() > 0) {
                          auto file = read_issue_csv(v->csv);
                          if (!file) return std::unexpected(file.error());
                          args["rows"] = std::move(file->rows);
                          lines = std::move(file->lines);
                      } else {
                          Json rows = Json::array();
                          const std::vector<std::string> people = parse_staff_list(v->staff_nos).value();
                          for (const std::string& person : people) {
                              Json row = Json::object();
                              row["staff_no"] = person;
                              if (!v->opening.empty()) row["opening"] = cents_of(v->opening);
                              if (!v->cost.empty()) row["cost"] = cents_of(v->cost);
                              rows.push_back(std::move(row));
                          }
                          args["rows"] = std::move(rows);
                      }
                      if (!v->assign_from.empty()) args["assign_from"] = number_of(v->assign_from);
                      if (v->rehearse) args["rehearse"] = true;
                      Request request = encoder_request("card-issue-batch", std::move(args), *v, View::issue_batch);
                      request.batch_lines = std::move(lines);
                      return request;
                  }
                  if (staff->count() == 0)
                      throw CLI::RequiredError("STAFF_NO --card-no N, --staff-nos LIST, or --csv FILE,");
                  Json args = Json::object();
                  args["staff_no"] = v->staff_no;
                  args["card_no"] = number_of(v->card_no);
                  if (!v->opening.empty()) args["opening"] = cents_of(v->opening);
                  if (!v->cost.empty()) args["cost"] = cents_of(v->cost);
                  return encoder_request("card-issue", std::move(args), *v, View::card);
              });

    CLI::App* topup =
        card->add_subcommand("topup", "Cash top-up (充值): add AMOUNT yuan to the card's balance (issuer)");
    add_card_no(topup, v_->card_no);
    topup->add_option("AMOUNT", v_->amount, "Yuan, with at most two decimals: 50, 12.5, 0.30")
        ->type_name("YUAN")
        ->required()
        ->check(amount_check());
    add_encoder_options(topup, *v_);
    on_parsed(topup, result_, [v = v_.get()] {
        Json args = Json::object();
        args["card_no"] = number_of(v->card_no);
        args["amount"] = cents_of(v->amount);
        return encoder_request("card-topup", std::move(args), *v, View::card);
    });

    CLI::App* refund = card->add_subcommand(
        "refund-close",
        "Refund the balance in cash and close the account (退款销户) (issuer): an active card is "
        "wiped on the encoder; a lost card, or one closed with --no-wipe, goes on every terminal's "
        "blacklist instead");
    add_card_no(refund, v_->card_no);
    refund->add_flag("--no-wipe", v_->no_wipe, "Close without the card: it is blacklisted on every terminal");
    refund->add_flag("--write-off", v_->write_off,
                     "Write a negative balance off to zero (admin); the ledger keeps who did it");
    add_encoder_options(refund, *v_);
    on_parsed(refund, result_, [v = v_.get()] {
        Json args = Json::object();
        args["card_no"] = number_of(v->card_no);
        if (v->write_off) args["write_off"] = true;
        if (v->no_wipe) {
            if (!v->encoder.empty() || !v->wait.empty())
                throw CLI::ValidationError("--encoder and --wait go without --no-wipe");
            args["wipe"] = false;
            return make_request(make_message("card-refund-close", std::move(args)), View::distribution);
        }
        return encoder_request("card-refund-close", std::move(args), *v, View::distribution);
    });

    CLI::App* info = card->add_subcommand(
        "info",
        "A card's holder, state, balance, its ledger (opening, top-ups, purchases, refunds) and losses; "
        "with --read, the card on the encoder read and compared with the store instead");
    add_card_no(info, v_->card_no);
    CLI::Option* read_flag =
        info->add_flag("--read", v_->read, "Read the card on the encoder and list each difference");
    add_encoder_options(info, *v_);
    on_parsed(info, result_, [v = v_.get(), read_flag] {
        if (read_flag->count() == 0) {
            if (!v->encoder.empty() || !v->wait.empty())
                throw CLI::ValidationError("--encoder and --wait go with --read");
            return make_request(make_message("card-info", Json{{"card_no", number_of(v->card_no)}}), View::card_info);
        }
        Json args = Json::object();
        args["card_no"] = number_of(v->card_no);
        return encoder_request("card-read", std::move(args), *v, View::card_read);
    });

    CLI::App* read = card->add_subcommand(
        "read",
        "Read the card on the encoder (issuer): blank, another system's, or ours with its number, balance "
        "and dates, and each way it differs from the store");
    add_encoder_options(read, *v_);
    on_parsed(read, result_, [v = v_.get()] {
        Json args = Json::object();
        return encoder_request("card-read", std::move(args), *v, View::card_read);
    });

    CLI::App* init = card->add_subcommand(
        "init",
        "Initialise the card on the encoder (初始化IC卡) (issuer): make it a blank card. A card still active "
        "or lost in the store is refused (return it with --wipe instead); another system's card too");
    add_encoder_options(init, *v_);
    on_parsed(init, result_, [v = v_.get()] {
        Json args = Json::object();
        return encoder_request("card-init", std::move(args), *v);
    });

    add_card_distribution_commands(*card);

    CLI::App* replace = card->add_subcommand(
        "replace",
        "Replace a lost card (新卡补办) with a new card number (issuer); the balance moves to the new card "
        "and the old card stays on every terminal's blacklist");
    add_card_no(replace, v_->card_no);
    replace->add_option("--new-card-no", v_->new_card_no, "Number of the new card; a number never used before")
        ->type_name("N")
        ->required()
        ->check(number_check("card number"));
    replace->add_option("--cost", v_->cost, "Card cost in yuan, paid in cash (cardd's default)")
        ->type_name("AMOUNT")
        ->check(amount_check());
    replace->add_flag("--write-off", v_->write_off,
                      "Write a negative balance off to zero (admin); the ledger keeps who did it");
    add_encoder_options(replace, *v_);
    on_parsed(replace, result_, [v = v_.get()] {
        Json args = Json::object();
        args["card_no"] = number_of(v->card_no);
        args["new_card_no"] = number_of(v->new_card_no);
        if (!v->cost.empty()) args["cost"] = cents_of(v->cost);
        if (v->write_off) args["write_off"] = true;
        return encoder_request("card-replace", std::move(args), *v, View::distribution);
    });

    CLI::App* ret = card->add_subcommand(
        "return", "Take a card back (退卡) (issuer): the balance is refunded in cash unless --no-refund");
    add_card_no(ret, v_->card_no);
    ret->add_flag("--wipe", v_->wipe, "Erase the card on the encoder so it becomes a blank card");
    ret->add_flag("--no-refund", v_->no_refund, "Keep the balance instead of refunding it");
    ret->add_flag("--write-off", v_->write_off,
                  "Write a negative balance off to zero (admin); the ledger keeps who did it");
    add_encoder_options(ret, *v_);
    on_parsed(ret, result_, [v = v_.get()] {
        Json args = Json::object();
        args["card_no"] = number_of(v->card_no);
        args["wipe"] = v->wipe;
        args["refund"] = !v->no_refund;
        if (v->write_off) args["write_off"] = true;
        if (!v->wipe) {
            if (!v->encoder.empty() || !v->wait.empty())
                throw CLI::ValidationError("--encoder and --wait go with --wipe");
            return make_request(make_message("card-return", std::move(args)), View::card);
        }
        return encoder_request("card-return", std::move(args), *v, View::card);
    });
}

void CommandLine::add_card_distribution_commands(CLI::App& card) {
    const auto add = [&](const char* name, const char* help, const char* push_help) {
        CLI::App* sub = card.add_subcommand(name, help);
        sub->add_option("CARD_NO", v_->card_nos, "The card numbers, up to 1000, each once")
            ->type_name("N")
            ->required()
            ->check(number_check("card number"));
        CLI::Option* push = sub->add_flag("--push", v_->push, push_help);
        CLI::Option* devices = sub->add_option("--devices", v_->devices, "The terminals to push to, or all")
                                   ->type_name("all|NAME,...")
                                   ->check(device_targets_check());
        push->needs(devices);
        devices->needs(push);
        return sub;
    };
    // One card keeps its request as it always was, "card_no"; several go as "card_nos".
    const auto cards_and_push = [v = v_.get()] {
        const auto cards = parse_distinct_numbers(v->card_nos, "card number");
        if (!cards) throw CLI::ValidationError("CARD_NO", cards.error());
        Json args = Json::object();
        if (cards->size() == 1) {
            args["card_no"] = cards->front();
        } else {
            args["card_nos"] = *cards;
        }
        if (v->push) {
            args["push"] = true;
            args["devices"] = targets_of(v->devices);
        }
        return args;
    };
    CLI::App* loss = add("loss",
                         "Report cards lost (挂失) (issuer), one or several at once: all are reported or, if one "
                         "cannot be, none. cardd first collects records from the terminals, then records the loss. "
                         "Without --push the cards still work at terminals until the loss is pushed",
                         "Push the cards to the blacklists of --devices (all includes terminals added later)");
    loss->add_option("--reason", v_->reason, "Why: lost (遗失, the default), damaged (损坏), expired (到期) or other")
        ->type_name("REASON")
        ->check(CLI::IsMember({"lost", "damaged", "expired", "other"}));
    on_parsed(loss, result_, [v = v_.get(), cards_and_push] {
        Json args = cards_and_push();
        if (!v->reason.empty()) args["reason"] = v->reason;
        return make_request(make_message("card-loss", std::move(args)), View::distribution);
    });
    CLI::App* unlock = add("unlock",
                           "Lift loss reports (解除挂失) (issuer), one or several cards at once, all or none. Without "
                           "--push terminals keep refusing the cards",
                           "Remove the cards from the blacklists of --devices");
    on_parsed(unlock, result_, [cards_and_push] {
        return make_request(make_message("card-unlock", cards_and_push()), View::distribution);
    });
}

}  // namespace cardd::cardctl
