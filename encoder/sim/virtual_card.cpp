#include "encoder/sim/virtual_card.hpp"
