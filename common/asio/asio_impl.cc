// The one translation unit that compiles Boost.Asio (with its TLS stream) and Boost.Beast
// (separate compilation, see BOOST_ASIO_SEPARATE_COMPILATION in cmake/PorticoTargets.cmake). Every other file includes only
// the headers, which keeps per-file compile times down.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
