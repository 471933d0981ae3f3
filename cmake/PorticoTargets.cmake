# Helpers that give every Portico target the same warnings and include root.

# -Wno-restrict: GCC 12 false positives in std::string operator+ at -O3 (GCC bug 105329).
# -Wno-mismatched-new-delete: GCC 12 false positive on Asio coroutine frames (custom operator
# new/delete pairs) under -O1 sanitizer builds.
# -Wno-missing-field-initializers: aggregates are initialised partially on purpose (defaults).
set(PORTICO_WARNINGS -Wall -Wextra -Wpedantic -Wno-unused-parameter -Wnon-virtual-dtor -Wno-restrict -Wno-mismatched-new-delete
    -Wno-missing-field-initializers)
if(PORTICO_WERROR)
  list(APPEND PORTICO_WARNINGS -Werror)
endif()

# Beast/Asio: compile Asio's separately-compilable parts once (see common/asio_impl.cc) and keep
# the headers lean in every other translation unit.
# BOOST_ASIO_RECYCLING_ALLOCATOR_CACHE_SIZE: how many freed blocks each thread keeps per purpose
# (operation states, coroutine frames) for reuse. Asio's default of 2 is less than the
# operations a proxied request has in flight; with 16 the request path's operation states
# (socket reads and writes, Beast's composed read) are all reused (perf probe on malloc).
# Coroutine frames on the workers' executor no longer use this cache: they come from
# net::FramePool (data-plane/net/executor.h), because Asio's cache hands blocks out first-fit and
# keeps none over 1,020 bytes. It changes the layout of Asio's thread_info_base, so it must be
# the same in every translation unit: set here, for all.
set(PORTICO_ASIO_DEFINES BOOST_ASIO_SEPARATE_COMPILATION BOOST_BEAST_SEPARATE_COMPILATION
    BOOST_ASIO_NO_DEPRECATED BOOST_BEAST_USE_STD_STRING_VIEW BOOST_ASIO_RECYCLING_ALLOCATOR_CACHE_SIZE=16)

function(portico_target_defaults target)
  target_compile_options(${target} PRIVATE ${PORTICO_WARNINGS})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_definitions(${target} PUBLIC ${PORTICO_ASIO_DEFINES})
endfunction()

# portico_library(NAME SOURCES a.cc b.cc DEPS lib1 lib2)
function(portico_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  portico_target_defaults(${name})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# portico_binary(NAME SOURCES main.cc DEPS ...)
function(portico_binary name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  portico_target_defaults(${name})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
endfunction()
