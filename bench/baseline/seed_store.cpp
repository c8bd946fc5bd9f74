// Seeds a stopped cardd's store with COUNT people, each with a card
// FIRST.., and reports the first LOST of those cards lost everywhere, through
// the store library: what the simulated encoder would take hours for (it
// issues a card in tens of milliseconds). The store's own rules apply, so the
// result is a store cardd could have written; only the fsyncs are skipped,
// as a benchmark's scratch store needs no durability while it is seeded.
//
// Usage: seed_store DATABASE_URL FIRST COUNT LOST [STRIDE]
// The lost cards are FIRST, FIRST+STRIDE, ... (STRIDE 1 by default: the
// first LOST), so a site's losses can be spread over its cards.
// Prints one JSON object: {"cards": COUNT, "lost": LOST, "elapsed_s": S}.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench/baseline/store_tool.hpp"

namespace store = cardd::store;
using cardd::bench::fail;

int main(int argc, char** argv) {
    if (argc != 5 && argc != 6) {
        std::fprintf(stderr, "usage: seed_store DATABASE_URL FIRST COUNT LOST [STRIDE]\n");
        return 2;
    }
    const auto first = static_cast<store::CardNo>(std::strtoll(argv[2], nullptr, 10));
    const long long count = std::strtoll(argv[3], nullptr, 10);
    const long long lost = std::strtoll(argv[4], nullptr, 10);
    const long long stride = argc == 6 ? std::strtoll(argv[5], nullptr, 10) : 1;
    if (first <= 0 || count < 0 || lost < 0 || stride < 1 || (lost > 0 && (lost - 1) * stride >= count)) {
        std::fprintf(stderr,
                     "seed_store: FIRST and STRIDE must be positive and LOST cards STRIDE apart fit in COUNT\n");
        return 2;
    }
    const auto started = std::chrono::steady_clock::now();
    auto opened = cardd::bench::open_store(argv[1], true);
    if (!opened) return fail("seed_store", "store", opened.error());
    store::CardStore& cards = **opened;
    const store::Actor seeder(0);

    for (long long n = 0; n < count; ++n) {
        const store::CardNo card_no = first + n;
        const std::string staff_no = "S" + std::to_string(card_no);
        if (auto added = cards.add_person(seeder, {staff_no, "Seed " + std::to_string(card_no), "Bench"}); !added) {
            return fail("seed_store", "person " + staff_no, added.error());
        }
        if (auto issued = cards.issue_card(seeder, staff_no, card_no, {1000, 0, std::nullopt}); !issued) {
            return fail("seed_store", "card " + std::to_string(card_no), issued.error());
        }
    }
    // Losses in reports of a few thousand, as a card centre's import would make them.
    constexpr long long per_report = 5000;
    for (long long start = 0; start < lost; start += per_report) {
        store::LossReport report;
        for (long long n = start; n < std::min(lost, start + per_report); ++n) {
            report.cards.push_back(first + n * stride);
        }
        report.push = store::PushTarget::all();
        if (auto reported = cards.report_losses(seeder, report); !reported) {
            return fail("seed_store", "losses from " + std::to_string(first + start), reported.error());
        }
    }
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("{\"cards\": %lld, \"lost\": %lld, \"elapsed_s\": %.3f}\n", count, lost, elapsed);
    return 0;
}
