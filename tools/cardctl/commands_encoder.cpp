// The encoder options of the card commands, and `cardctl encoder`: placing
// and taking away cards on the simulated encoder.

#include "tools/cardctl/command_values.hpp"
#include "tools/cardctl/commands.hpp"
#include "tools/cardctl/option_checks.hpp"

namespace cardd::cardctl {

namespace {

/// --encoder NAME, `what` says which: needed only when several are registered.
void add_encoder_name(CLI::App* sub, CommandLine::Values& v, const std::string& what) {
    sub->add_option("--encoder", v.encoder, what + " (needed only when several are registered)")
        ->type_name("NAME")
        ->check(utf8_check());
}

}  // namespace

void add_encoder_options(CLI::App* sub, CommandLine::Values& v) {
    add_encoder_name(sub, v, "The encoder to use");
    sub->add_option("--wait", v.wait, "How long cardd waits for the card to be placed (cardd's default: 30)")
        ->type_name("SECONDS")
        ->check(number_check("number of seconds"));
}

void add_encoder_arguments(Json& arguments, const CommandLine::Values& v) {
    if (!v.encoder.empty()) arguments["encoder"] = v.encoder;
    if (!v.wait.empty()) arguments["wait_s"] = number_of(v.wait);
}

Request encoder_request(std::string_view command, Json arguments, const CommandLine::Values& v, View view) {
    add_encoder_arguments(arguments, v);
    return make_request(make_message(command, std::move(arguments)), view);
}

void CommandLine::add_encoder_commands() {
    CLI::App* encoder = app_->add_subcommand(
        "encoder",
        "The encoder's desk: cancel a wait for a card; the simulated encoder (device add-encoder NAME --sim): put "
        "cards on it and take them away");
    encoder->require_subcommand(1);

    CLI::App* cancel = encoder->add_subcommand(
        "cancel",
        "End the wait for a card of the workflow holding the encoder (issuer); a card already being written is "
        "finished, nothing else is written");
    add_encoder_name(cancel, *v_, "The encoder");
    on_parsed(cancel, result_, [v = v_.get()] { return encoder_request("encoder-cancel", Json::object(), *v); });

    CLI::App* place = encoder->add_subcommand(
        "sim-place",
        "Put a card on the simulated encoder (issuer): a new blank card, or the card with a UID "
        "(one seen before keeps what was written on it)");
    CLI::Option* blank = place->add_flag("--blank", v_->blank, "A new blank card, with a UID never used before");
    CLI::Option* uid =
        place->add_option("--uid", v_->uid, "The card with this UID (8 or 14 hex digits)")->type_name("UID");
    CLI::Option* foreign = place->add_flag("--foreign", v_->foreign, "With --uid: a card written by another system");
    CLI::Option* count =
        place->add_option("--count", v_->count, "With --blank: this many blank cards, one after another")
            ->type_name("N")
            ->check(number_check("number of cards"));
    blank->excludes(uid);
    foreign->needs(uid);
    count->needs(blank);
    add_encoder_name(place, *v_, "The simulated encoder");
    on_parsed(place, result_, [v = v_.get(), blank, uid] {
        if (blank->count() + uid->count() != 1) throw CLI::RequiredError("--blank or --uid UID");
        Json args = Json::object();
        if (v->blank) args["blank"] = true;
        if (!v->uid.empty()) args["uid"] = v->uid;
        if (v->foreign) args["foreign"] = true;
        if (!v->count.empty()) args["count"] = number_of(v->count);
        return encoder_request("encoder-sim-place", std::move(args), *v);
    });

    CLI::App* remove = encoder->add_subcommand(
        "sim-remove",
        "Take the card off the simulated encoder (issuer); with --after N, in the middle of the next "
        "operation, after N more card commands (a card pulled away while it is written)");
    remove->add_option("--after", v_->after, "Card commands the card stays for")
        ->type_name("N")
        ->check(number_check("number of commands"));
    add_encoder_name(remove, *v_, "The simulated encoder");
    on_parsed(remove, result_, [v = v_.get()] {
        Json args = Json::object();
        if (!v->after.empty()) args["after"] = number_of(v->after);
        return encoder_request("encoder-sim-remove", std::move(args), *v);
    });
}

}  // namespace cardd::cardctl
