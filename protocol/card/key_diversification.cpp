#include "protocol/card/key_diversification.hpp"
