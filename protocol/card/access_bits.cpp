#include "protocol/card/access_bits.hpp"
