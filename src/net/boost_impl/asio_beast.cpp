// The one translation unit that compiles Boost.Asio's and Boost.Beast's non-template code (scheduler,
// reactor, socket and TLS engine, HTTP/WebSocket helpers, zlib). Every other TU gets
// BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION from bparb::boost and only declares
// it, instead of compiling it inline again (cmake/BparbDependencies.cmake links this library wherever
// bparb::boost is used).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
