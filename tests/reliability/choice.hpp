#pragma once
// The seeded random mix: which operation comes next, on which card, for how
// much. Only operations the card centre should accept are chosen, so a
// refusal is itself a finding.

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "tests/reliability/model.hpp"

namespace cardd::reliability {

enum class Mix {
    everything,   ///< the whole mix, purchases at terminals included
    one_request,  ///< what is sent to cardd as one request: anything but a purchase
    card_writes,  ///< issue, top-up, replacement, return with wipe
};

class Choice {
public:
    Choice(std::mt19937_64& random, std::vector<std::string> terminals)
        : random_(random), terminals_(std::move(terminals)) {}

    /// The next operation from `mix`, given what the model holds; none when
    /// nothing in it applies (no card to act on).
    std::optional<Operation> next(Model& model, Mix mix);

    /// An operation of `kind` on a card it applies to; none when no card does.
    std::optional<Operation> of(Model& model, OpKind kind);

    /// A whole number from `least` to `most`.
    std::int64_t between(std::int64_t least, std::int64_t most);

private:
    CardNo pick(const std::vector<CardNo>& cards);

    std::mt19937_64& random_;
    std::vector<std::string> terminals_;
};

}  // namespace cardd::reliability
