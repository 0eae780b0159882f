// Settings of data-parallel training (dtap-train reader / generator): torch-free,
// so that options structs and programs need no LibTorch header.
#pragma once
#include <string>

namespace dtap {

// torchrun's convention: MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK; options
// given on the command line win over the environment.
struct DistributedOptions {
  int world_size = 0;       // 0 = from WORLD_SIZE, else 1
  int rank = -1;            // -1 = from RANK, else 0
  std::string master_addr;  // "" = from MASTER_ADDR, else 127.0.0.1
  int master_port = 0;      // 0 = from MASTER_PORT, else 29500
  int timeout_s = 300;      // rendezvous and collective timeout
};

}  // namespace dtap
