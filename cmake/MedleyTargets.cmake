# Shared compile settings for Medley's own targets: warnings, sanitizers, fuzzing.

add_library(medley_flags INTERFACE)
target_compile_options(medley_flags INTERFACE
  -Wall -Wextra -Wno-missing-field-initializers -Wnon-virtual-dtor -Wimplicit-fallthrough)
if(MEDLEY_WERROR)
  target_compile_options(medley_flags INTERFACE -Werror)
endif()
# g++ 12 at -O2/-O3 reports -Wrestrict inside libstdc++'s std::string (GCC bug 105329, a false positive on
# ordinary string appends): keep it a warning there, not an error.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(medley_flags INTERFACE -Wno-error=restrict)
endif()
target_include_directories(medley_flags INTERFACE ${PROJECT_SOURCE_DIR})

if(MEDLEY_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
elseif(MEDLEY_SANITIZE STREQUAL "thread")
  # g++ 12 warns (-Wtsan) on Asio's atomic_thread_fence, which TSan cannot model; -Werror would stop the build.
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer $<$<CXX_COMPILER_ID:GNU>:-Wno-tsan>)
  add_link_options(-fsanitize=thread)
elseif(NOT MEDLEY_SANITIZE STREQUAL "")
  message(FATAL_ERROR "MEDLEY_SANITIZE must be '', 'address' or 'thread', not '${MEDLEY_SANITIZE}'")
endif()

if(MEDLEY_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "MEDLEY_FUZZ needs clang (-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang)")
  endif()
  # Everything is instrumented for coverage; only the fuzz targets link libFuzzer's main.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

# medley_library(<name> <dir>): a static library from every .cpp under <dir> (not recursing into
# subfolders that are libraries of their own, listed in EXCLUDE).
function(medley_library name dir)
  cmake_parse_arguments(ARG "" "" "EXCLUDE" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${dir}/*.cpp)
  foreach(ex IN LISTS ARG_EXCLUDE)
    list(FILTER srcs EXCLUDE REGEX "^${dir}/${ex}/")
  endforeach()
  add_library(${name} STATIC ${srcs})
  target_link_libraries(${name} PUBLIC medley_flags)
endfunction()

# medley_optional_library(<name> <dir> <deps...>): like medley_library, for folders that may not have sources
# yet (ice/, codec/, mux/, server/ grow issue by issue); does nothing while <dir> holds no .cpp.
function(medley_optional_library name dir)
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${dir}/*.cpp)
  if(srcs)
    medley_library(${name} ${dir})
    target_link_libraries(${name} PUBLIC ${ARGN})
  endif()
endfunction()
