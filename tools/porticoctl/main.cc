// porticoctl: the command-line client of portico-cp's REST API. See `porticoctl --help`.

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "tools/porticoctl/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  int code = portico::tools::porticoctl::runCli(args, std::cout, std::cerr, std::getenv("PORTICO_CP"),
                                                std::getenv("PORTICO_TOKEN"));
  std::cout.flush();
  return code;
}
