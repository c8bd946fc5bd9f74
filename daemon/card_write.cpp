#include "daemon/card_write.hpp"

#include "daemon/card_workflow.hpp"
#include "daemon/log.hpp"
#include "daemon/service.hpp"
#include "protocol/hex.hpp"

namespace cardd::daemon {

namespace card = protocol::card;

namespace {

constexpr std::string_view transport_keys = "transport";
constexpr std::string_view card_keys = "card";

std::string describe(const store::WriteIntent& intent) {
    return std::string(to_string(intent.kind)) + " of card " + std::to_string(intent.card_no) + " (chip " + intent.uid +
           ", write " + std::to_string(intent.id) + ")";
}

/// Each block and the keys are the one before or the one after: a write that
/// stopped between two blocks.
bool torn_between(const encoder::Sector& now, const encoder::Sector& before, const encoder::Sector& after) {
    if (now.keys != before.keys && now.keys != after.keys) return false;
    for (std::size_t i = 0; i < now.data.size(); ++i) {
        if (now.data[i] != before.data[i] && now.data[i] != after.data[i]) return false;
    }
    return true;
}

}  // namespace

store::CardContent content_of(const encoder::Sector& sector, int sector_no) {
    store::CardContent content;
    content.keys = std::string(sector.keys == encoder::CardKind::ours ? card_keys : transport_keys);
    for (const auto& block : sector.data) content.blocks += protocol::hex_bytes(block);
    const auto balance =
        card::decode_balance(sector.data[card::balance_offset], card::block_number(sector_no, card::balance_offset));
    if (balance) content.balance = *balance;
    const auto counter =
        card::decode_counter(sector.data[card::counter_offset], card::block_number(sector_no, card::counter_offset));
    if (counter) content.counter = *counter;
    return content;
}

std::optional<encoder::Sector> sector_of(const store::CardContent& content) {
    encoder::Sector sector;
    if (content.keys == card_keys)
        sector.keys = encoder::CardKind::ours;
    else if (content.keys == transport_keys)
        sector.keys = encoder::CardKind::blank;
    else
        return std::nullopt;
    const auto bytes = protocol::parse_hex_bytes(content.blocks);
    if (!bytes || bytes->size() != sector.data.size() * sector.data[0].size()) return std::nullopt;
    for (std::size_t i = 0; i < bytes->size(); ++i) sector.data[i / 16][i % 16] = (*bytes)[i];
    return sector;
}

store::Result<Settlement> settle_write(Service& service, EncoderUse& use, const store::WriteIntent& intent) {
    const auto before = sector_of(intent.before);
    const auto after = sector_of(intent.after);
    if (!before || !after) {
        return store::fail(store::Errc::storage,
                           "card write " + std::to_string(intent.id) + " holds a sector the card layout cannot read");
    }
    encoder::CardSession& session = use.session();
    auto now = session.read_sector();
    if (!now) return std::unexpected(card_error(now.error()));
    const std::string where = " on encoder " + use.name();
    Settlement settled;
    std::string_view held = "whole";
    if (*now == *after || (*now != *before && torn_between(*now, *before, *after))) {
        std::string how = "the card holds the write";
        if (*now != *after) {
            // Torn: each block is whole, so writing the rest finishes it.
            if (auto finished = session.write_sector(*after); !finished) {
                settled.text = describe(intent) + " is torn on the card and could not be finished" + where + ": " +
                               finished.error().message;
                log_event(msg::card_write_pending, {{"write", intent.id},
                                                    {"card_no", intent.card_no},
                                                    {"uid", intent.uid},
                                                    {"reason", finished.error().message}});
                return settled;
            }
            how = "the card held part of the write, which was finished";
            held = "torn";
        }
        auto applied = service.store.apply_write(intent.id, how + where);
        if (!applied) return std::unexpected(applied.error());
        settled.how = Settlement::How::applied;
        settled.text = describe(intent) + ": " + how + "; its store change is applied";
        settled.applied = std::move(*applied);
    } else if (*now == *before) {
        auto dropped = service.store.drop_write(intent.id, "the card holds what it held before" + where);
        if (!dropped) return std::unexpected(dropped.error());
        settled.how = Settlement::How::dropped;
        settled.text = describe(intent) + ": the card was never written; nothing changed";
        held = "before";
    } else {
        settled.text = describe(intent) +
                       " stays unresolved: the card holds neither what it held before nor what was written (it was "
                       "used at terminals since); collecting its records settles it";
        log_event(
            msg::card_write_pending,
            {{"write", intent.id}, {"card_no", intent.card_no}, {"uid", intent.uid}, {"reason", "card moved on"}});
        return settled;
    }
    log_event(msg::card_write_settled, {{"write", intent.id},
                                        {"kind", to_string(intent.kind)},
                                        {"card_no", intent.card_no},
                                        {"uid", intent.uid},
                                        {"outcome", settled.how == Settlement::How::applied ? "applied" : "dropped"},
                                        {"card", held}});
    return settled;
}

store::Result<std::optional<Settlement>> settle_card_on_encoder(Service& service, EncoderUse& use) {
    auto chip = use.session().uid();
    if (!chip) return std::unexpected(card_error(chip.error()));
    auto open = service.store.open_write_for_uid(encoder::uid_hex(*chip));
    if (!open) return std::unexpected(open.error());
    if (!*open) return std::optional<Settlement>{};
    auto settled = settle_write(service, use, **open);
    if (!settled) return std::unexpected(settled.error());
    if (settled->how != Settlement::How::open) service.card_write_ended("settled");
    return std::optional<Settlement>{std::move(*settled)};
}

store::Result<store::AppliedWrite> journaled_write(Service& service, EncoderUse& use, store::WriteIntent intent,
                                                   const SectorAfter& after) {
    const int sector_no = use.sector();
    std::optional<encoder::Sector> target;
    auto opened = service.store.open_write(intent, [&](const store::WriteIntent& planned) {
        target = after(planned);
        return content_of(*target, sector_no);
    });
    if (!opened) return std::unexpected(opened.error());
    log_event(msg::card_intent_opened, {{"write", opened->id},
                                        {"kind", to_string(opened->kind)},
                                        {"card_no", opened->card_no},
                                        {"uid", opened->uid},
                                        {"encoder", use.name()}});
    // No store transaction is open from here until the change is applied:
    // the database holds no lock while the encoder works, and a crash here
    // leaves the intent for the card to settle.
    auto written = use.session().write_sector(*target);
    if (written) {
        auto applied = service.store.apply_write(opened->id, "written on encoder " + use.name());
        if (!applied) {
            log_event(msg::card_apply_failed, {{"write", opened->id},
                                               {"card_no", opened->card_no},
                                               {"uid", opened->uid},
                                               {"reason", applied.error().message}});
            service.card_write_ended("pending");
            return store::fail(applied.error().code,
                               "card " + std::to_string(opened->card_no) +
                                   " was written, but the store could not record it (" + applied.error().message +
                                   "); the write stays pending and is recorded when the card is placed again");
        }
        log_event(msg::card_written, {{"write", opened->id},
                                      {"kind", to_string(opened->kind)},
                                      {"card_no", opened->card_no},
                                      {"uid", opened->uid},
                                      {"encoder", use.name()}});
        service.card_write_ended("written");
        return applied;
    }
    log_event(msg::card_write_failed, {{"write", opened->id},
                                       {"card_no", opened->card_no},
                                       {"uid", opened->uid},
                                       {"encoder", use.name()},
                                       {"error", written.error().message}});
    // Whether the card kept any of it decides: read it, if it is still there.
    auto settled = settle_write(service, use, *opened);
    if (settled && settled->how == Settlement::How::applied) {
        service.card_write_ended("written");  // the card kept the whole write, or it was finished
        return std::move(*settled->applied);
    }
    if (settled && settled->how == Settlement::How::dropped) {
        service.card_write_ended("failed");  // the card kept none of it: nothing changed
        return std::unexpected(card_error(written.error()));
    }
    service.card_write_ended("pending");
    log_event(msg::card_write_pending, {{"write", opened->id},
                                        {"card_no", opened->card_no},
                                        {"uid", opened->uid},
                                        {"reason", written.error().message}});
    return store::fail(store::Errc::card,
                       "the write of card " + std::to_string(opened->card_no) + " was interrupted (" +
                           written.error().message +
                           "); it stays pending (cardctl pending) and is settled when the card is placed on an "
                           "encoder again");
}

store::Result<void> rehearse_write(Service& service, const store::WriteIntent& intent) {
    auto rehearsed = service.store.rehearse_write(intent);
    if (rehearsed || rehearsed.error().code != store::Errc::conflict) return rehearsed;
    for (const std::optional<store::CardNo> card_no :
         {intent.card_no != 0 ? std::optional<store::CardNo>(intent.card_no) : std::nullopt, intent.old_card_no}) {
        if (!card_no) continue;
        auto open = service.store.open_write_for_card(*card_no);
        if (open && *open) return {};
    }
    return rehearsed;
}

}  // namespace cardd::daemon
