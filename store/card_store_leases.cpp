// Terminal leases among the cardd instances sharing one store, and the fence
// every write about a terminal passes (docs/scale.md). Time is the
// database's: an instance's clock may be wrong, the lease must not be.

#include <algorithm>
#include <cstdint>
#include <functional>

#include "store/card_store.hpp"
#include "store/card_store_internal.hpp"
#include "text/forbidden_code_points.hpp"

namespace cardd::store {

using namespace detail;

namespace {

struct LeaseRow {
    DeviceId terminal = 0;
    std::optional<std::string> owner;
    std::int64_t generation = 0;
    std::int64_t expires_at = 0;
    bool tcp = true;
    std::string serial_device;
};

Result<void> validate(const LeaseRequest& request) {
    if (request.owner.empty() || request.owner.size() > 255)
        return fail(Errc::invalid_argument, "an instance name is 1 to 255 bytes");
    // It is written in every log line of the leases.
    if (const auto forbidden = text::first_forbidden(request.owner))
        return fail(Errc::invalid_argument, "the instance name holds " + text::describe(*forbidden));
    if (request.duration_ms <= 0) return fail(Errc::invalid_argument, "a lease lasts more than 0 ms");
    return {};
}

// Milliseconds since the epoch in the database's clock. On Galera this is the
// clock of the node the instance talks to; docs/scale.md asks for NTP on
// every node.
std::string_view now_ms_sql(const SqlConnection& db) {
    return db.dialect() == Dialect::sqlite ? "SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
                                           : "SELECT CAST(UNIX_TIMESTAMP(NOW(6)) * 1000 AS SIGNED)";
}

// The order an instance prefers free terminals in: its own, so that two
// instances claiming at once mostly reach for different rows and do not
// conflict at certification.
std::uint64_t preference(std::string_view owner, DeviceId terminal) {
    return std::hash<std::string>{}(std::string(owner) + "/" + std::to_string(terminal));
}

}  // namespace

Result<LeaseRound> CardStore::lease_round(const LeaseRequest& request) {
    CARDD_TRY_VOID(validate(request));
    CARDD_TRY(
        round, transaction([&]() -> Result<LeaseRound> {
            CARDD_TRY(now, query_int(*db_, now_ms_sql(*db_)));
            const std::int64_t until = now + request.duration_ms;
            CARDD_TRY(beat,
                      execute(*db_, "UPDATE instances SET expires_at = ? WHERE name = ?", {until, request.owner}));
            if (beat == 0) {
                CARDD_TRY_VOID(
                    execute(*db_, "INSERT INTO instances (name, expires_at) VALUES (?, ?)", {request.owner, until}));
            }
            CARDD_TRY(alive, query_int(*db_, "SELECT COUNT(*) FROM instances WHERE expires_at > ?", {now}));
            CARDD_TRY(rows, query(*db_, std::string("SELECT l.terminal_id, l.owner, l.generation, l.expires_at, "
                                                    "d.transport, d.serial_device FROM terminal_leases l "
                                                    "JOIN devices d ON d.id = l.terminal_id ORDER BY l.terminal_id") +
                                            for_update(*db_)));
            std::vector<LeaseRow> leases;
            leases.reserve(rows.size());
            for (const Row& row : rows) {
                leases.push_back({as_int(row[0]), is_null(row[1]) ? std::nullopt : std::optional{as_text(row[1])},
                                  as_int(row[2]), as_int(row[3]), as_text(row[4]) == "tcp",
                                  is_null(row[5]) ? std::string() : as_text(row[5])});
            }
            const auto mine = [&](const LeaseRow& l) { return l.owner == request.owner && l.expires_at > now; };
            const auto free = [&](const LeaseRow& l) { return !l.owner || l.expires_at <= now; };
            const auto on_my_bus = [&](const LeaseRow& l) {
                return !l.tcp && std::ranges::find(request.buses, l.serial_device) != request.buses.end();
            };
            const auto tcp_count = std::ranges::count_if(leases, [](const LeaseRow& l) { return l.tcp; });
            LeaseRound out;
            out.instances = std::max<std::int64_t>(alive, 1);
            out.share = (tcp_count + out.instances - 1) / out.instances;

            // Given up: TCP leases above the share, the highest first, and
            // RS-485 leases of buses no longer wired here.
            std::vector<const LeaseRow*> kept_tcp;
            std::vector<const LeaseRow*> give_up;
            for (const LeaseRow& l : leases) {
                if (!mine(l)) continue;
                if (l.tcp) {
                    kept_tcp.push_back(&l);
                } else if (!on_my_bus(l)) {
                    give_up.push_back(&l);
                }
            }
            while (std::ssize(kept_tcp) > out.share) {
                give_up.push_back(kept_tcp.back());
                kept_tcp.pop_back();
            }
            for (const LeaseRow* l : give_up) {
                CARDD_TRY_VOID(execute(*db_,
                                       "UPDATE terminal_leases SET owner = NULL, expires_at = 0 "
                                       "WHERE terminal_id = ? AND owner = ? AND generation = ?",
                                       {l->terminal, request.owner, l->generation}));
            }
            out.handed_back = std::ssize(give_up);
            CARDD_TRY_VOID(execute(*db_, "UPDATE terminal_leases SET expires_at = ? WHERE owner = ? AND expires_at > ?",
                                   {until, request.owner, now}));
            for (const LeaseRow& l : leases) {
                const bool given_up = std::ranges::find(give_up, &l) != give_up.end();
                if (mine(l) && !given_up) out.held.push_back({l.terminal, l.generation});
            }

            // Claimed: the terminals of this host's buses, then free TCP
            // terminals up to the share. The generation read is the
            // condition, so a claim that lost a race claims nothing.
            std::vector<const LeaseRow*> wanted;
            for (const LeaseRow& l : leases) {
                if (free(l) && on_my_bus(l)) wanted.push_back(&l);
            }
            std::vector<const LeaseRow*> free_tcp;
            for (const LeaseRow& l : leases) {
                if (free(l) && l.tcp) free_tcp.push_back(&l);
            }
            std::ranges::sort(free_tcp, {}, [&](const LeaseRow* l) { return preference(request.owner, l->terminal); });
            const auto room = std::max<std::int64_t>(out.share - std::ssize(kept_tcp), 0);
            free_tcp.resize(std::min<std::size_t>(free_tcp.size(), static_cast<std::size_t>(room)));
            wanted.insert(wanted.end(), free_tcp.begin(), free_tcp.end());
            for (const LeaseRow* l : wanted) {
                CARDD_TRY(claimed, execute(*db_,
                                           "UPDATE terminal_leases SET owner = ?, generation = generation + 1, "
                                           "expires_at = ? WHERE terminal_id = ? AND generation = ?",
                                           {request.owner, until, l->terminal, l->generation}));
                if (claimed == 1) out.held.push_back({l->terminal, l->generation + 1});
            }
            std::ranges::sort(out.held, {}, &Lease::terminal);
            return out;
        }));
    // Only what committed fences: a round run again after a conflict
    // replaces what the first attempt thought it held.
    Fencing fencing{request.owner, {}};
    for (const Lease& lease : round.held) fencing.generations.emplace(lease.terminal, lease.generation);
    fencing_ = std::move(fencing);
    return round;
}

Result<void> CardStore::release_leases(std::string_view owner) {
    auto released = transaction([&]() -> Result<void> {
        CARDD_TRY_VOID(execute(*db_, "UPDATE terminal_leases SET owner = NULL, expires_at = 0 WHERE owner = ?",
                               {std::string(owner)}));
        CARDD_TRY_VOID(execute(*db_, "DELETE FROM instances WHERE name = ?", {std::string(owner)}));
        return {};
    });
    if (!released) return released;
    if (fencing_ && fencing_->owner == owner) fencing_->generations.clear();
    return {};
}

Result<std::vector<LeaseView>> CardStore::leases() {
    CARDD_TRY(now, query_int(*db_, now_ms_sql(*db_)));
    CARDD_TRY(rows, query(*db_,
                          "SELECT l.terminal_id, d.name, l.owner, l.generation, l.expires_at FROM terminal_leases l "
                          "JOIN devices d ON d.id = l.terminal_id ORDER BY l.terminal_id"));
    std::vector<LeaseView> out;
    out.reserve(rows.size());
    for (const Row& row : rows) {
        const bool free = is_null(row[2]);
        out.push_back({as_int(row[0]), as_text(row[1]), free ? std::nullopt : std::optional{as_text(row[2])},
                       as_int(row[3]), free ? 0 : as_int(row[4]) - now});
    }
    return out;
}

std::optional<std::int64_t> CardStore::held_generation(DeviceId terminal) const {
    if (!fencing_) return std::nullopt;
    const auto found = fencing_->generations.find(terminal);
    if (found == fencing_->generations.end()) return std::nullopt;
    return found->second;
}

Result<void> CardStore::fence(DeviceId terminal) {
    if (!fencing_) return {};
    const auto held = fencing_->generations.find(terminal);
    if (held == fencing_->generations.end()) {
        return fail(Errc::fenced, "terminal " + std::to_string(terminal) + " is not leased to instance '" +
                                      fencing_->owner + "'; the instance holding its lease drives it");
    }
    CARDD_TRY(marked, execute(*db_,
                              "UPDATE terminal_leases SET fenced_writes = fenced_writes + 1 "
                              "WHERE terminal_id = ? AND owner = ? AND generation = ?",
                              {terminal, fencing_->owner, held->second}));
    if (marked == 0) {
        return fail(Errc::fenced, "the lease of terminal " + std::to_string(terminal) +
                                      " has passed on from instance '" + fencing_->owner + "' at generation " +
                                      std::to_string(held->second) + "; nothing was written");
    }
    return {};
}

}  // namespace cardd::store
