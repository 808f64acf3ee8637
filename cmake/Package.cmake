# A Debian package of the install tree (cmake/Install.cmake): `./studio package`, or `cpack` in
# the build folder. Its Depends come from the shared libraries the programs and the node pack
# link (dpkg-shlibdeps, from dpkg-dev); the Fashion-MNIST data package is recommended, since only
# training, evaluation and the Dataset node read it.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME irlstudio)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "IRL Sampler Studio")
set(CPACK_PACKAGE_CONTACT "IRL Sampler Studio developers <maintainers@irlstudio.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "node-graph studio for diffusion sampling and inverse-RL sampling policies")
# The long description, wrapped for the control file (CPack indents each line).
string(JOIN "\n" CPACK_PACKAGE_DESCRIPTION
  "IRL Sampler Studio wires denoiser, schedule, action, policy and dataset nodes"
  "into a diffusion sampling pipeline, shows every denoising step as it runs, and"
  "trains sampling policies by inverse reinforcement learning: per step, the policy"
  "picks the guidance scale, churn, renoising or stochasticity that makes the states"
  "the sampler visits match real data at the same noise level."
  ""
  "Ships a Fashion-MNIST denoiser and metrics classifier, example graphs, the"
  "irlstudio-cli command-line tool and the built-in node pack.")
set(CPACK_PACKAGE_INSTALL_DIRECTORY irlstudio)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Relative to the folder cpack runs in: <build>/packages for `./studio package`.
set(CPACK_OUTPUT_FILE_PREFIX packages)
set(CPACK_PACKAGE_CHECKSUM SHA256)
# Release binaries without their debug information: a RelWithDebInfo build would otherwise ship
# several times its size.
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # irlstudio_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION graphics)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS dataset-fashion-mnist)
if(TARGET irlstudio)
  # Qt loads its windowing-system plugins at run time, so shlibdeps cannot see them.
  set(CPACK_DEBIAN_PACKAGE_DEPENDS qt6-qpa-plugins)
endif()
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)

# Only the binary package: the sources are the git repository.
set(CPACK_SOURCE_GENERATOR "")
include(CPack)
