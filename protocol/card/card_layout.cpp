#include "protocol/card/card_layout.hpp"
