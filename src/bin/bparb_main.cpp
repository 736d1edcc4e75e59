// bparb entry point: everything lives in bparb::app (cli.cpp) so it can be tested without a process.
#include <iostream>

#include "bparb/app/cli.hpp"

int main(int argc, char** argv) {
  return bparb::app::run_cli(argc, argv, std::cout, std::cerr);
}
