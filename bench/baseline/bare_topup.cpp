// The control-socket benchmark's baseline: COUNT top-ups of the cards
// FIRST..FIRST+CARDS-1, round robin, as a bare loop over the store library
// (CardStore::top_up, one durable transaction each), with no socket, no
// encoder and no card written: what the store alone costs.
//
// Usage: bare_topup DATABASE_URL FIRST CARDS COUNT AMOUNT
// Prints one JSON object: {"topups": COUNT, "elapsed_s": S}.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench/baseline/store_tool.hpp"

namespace store = cardd::store;
using cardd::bench::fail;

int main(int argc, char** argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: bare_topup DATABASE_URL FIRST CARDS COUNT AMOUNT\n");
        return 2;
    }
    const auto first = static_cast<store::CardNo>(std::strtoll(argv[2], nullptr, 10));
    const long long cards = std::strtoll(argv[3], nullptr, 10);
    const long long count = std::strtoll(argv[4], nullptr, 10);
    const auto amount = static_cast<store::Cents>(std::strtoll(argv[5], nullptr, 10));
    if (first <= 0 || cards <= 0 || count < 0 || amount <= 0) {
        std::fprintf(stderr, "bare_topup: FIRST, CARDS and AMOUNT must be positive\n");
        return 2;
    }
    auto opened = cardd::bench::open_store(argv[1]);
    if (!opened) return fail("bare_topup", "store", opened.error());
    store::CardStore& cards_store = **opened;
    const store::Actor clerk(0);

    const auto started = std::chrono::steady_clock::now();
    for (long long n = 0; n < count; ++n) {
        const store::CardNo card_no = first + n % cards;
        if (auto topped = cards_store.top_up(clerk, card_no, amount); !topped) {
            return fail("bare_topup", "top-up of card " + std::to_string(card_no), topped.error());
        }
    }
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("{\"topups\": %lld, \"elapsed_s\": %.6f}\n", count, elapsed);
    return 0;
}
