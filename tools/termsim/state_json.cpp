#include "tools/termsim/state_json.hpp"

#include <nlohmann/json.hpp>

namespace cardd::termsim {

using nlohmann::json;
namespace p = cardd::protocol;

std::string state_to_json(const PersistentState& state) {
    json records = json::array();
    for (const p::TransactionRecord& r : state.records) {
        records.push_back({{"seq", r.seq},
                           {"card", r.card_no},
                           {"amount", r.amount_cents},
                           {"balance", r.balance_after},
                           {"time", r.time},
                           {"counter", r.counter},
                           {"kind", p::raw(r.kind)}});
    }
    json doc{
        {"format", state_format_name}, {"format_version", state_format_version}, {"serial", state.serial},
        {"version", state.version},    {"blacklist", state.blacklist},           {"oldest", state.oldest},
        {"next", state.next},          {"records", std::move(records)},          {"clock_offset", state.clock_offset},
        {"last_commit", nullptr},      {"card_counters", json::array()}};
    for (const auto& [card, counter] : state.card_counters) doc["card_counters"].push_back({card, counter});
    if (state.last_commit) {
        doc["last_commit"] = {{"session", state.last_commit->session}, {"crc", state.last_commit->crc}};
    }
    return doc.dump() + "\n";
}

std::expected<PersistentState, std::string> state_from_json(std::string_view text) {
    try {
        const json doc = json::parse(text);
        if (doc.at("format").get<std::string>() != state_format_name) {
            return std::unexpected("not a card-termsim state file");
        }
        if (doc.at("format_version").get<int>() != state_format_version) {
            return std::unexpected("state file format version " + doc.at("format_version").dump() +
                                   " is not supported");
        }
        PersistentState state;
        state.serial = doc.at("serial").get<std::uint32_t>();
        state.version = doc.at("version").get<std::uint32_t>();
        state.blacklist = doc.at("blacklist").get<std::vector<std::uint32_t>>();
        state.oldest = doc.at("oldest").get<std::uint32_t>();
        state.next = doc.at("next").get<std::uint32_t>();
        for (const json& r : doc.at("records")) {
            const auto kind = r.at("kind").get<std::uint16_t>();
            if (kind < 1 || kind > 3) return std::unexpected("record kind " + std::to_string(kind) + " is not 1..3");
            state.records.push_back(p::TransactionRecord{.seq = r.at("seq").get<std::uint32_t>(),
                                                         .card_no = r.at("card").get<std::uint32_t>(),
                                                         .amount_cents = r.at("amount").get<std::int32_t>(),
                                                         .balance_after = r.at("balance").get<std::uint32_t>(),
                                                         .time = r.at("time").get<std::uint32_t>(),
                                                         .counter = r.at("counter").get<std::uint16_t>(),
                                                         .kind = static_cast<p::RecordKind>(kind)});
        }
        state.clock_offset = doc.at("clock_offset").get<std::int64_t>();
        if (const json& commit = doc.at("last_commit"); !commit.is_null()) {
            state.last_commit =
                CommittedSession{commit.at("session").get<std::uint32_t>(), commit.at("crc").get<std::uint32_t>()};
        }
        if (doc.contains("card_counters")) {
            for (const json& pair : doc.at("card_counters")) {
                state.card_counters[pair.at(0).get<std::uint32_t>()] = pair.at(1).get<std::uint16_t>();
            }
        }
        return state;
    } catch (const json::exception& e) {
        return std::unexpected(std::string("malformed state file: ") + e.what());
    }
}

}  // namespace cardd::termsim
