#include "encoder/sim/simulated_reader.hpp"
