# What `cmake --install` lays out (and what the .deb contains), relative to the prefix:
#
#   bin/irlstudio-cli, bin/irlstudio            the programs
#   lib/irlstudio/libirlstudio-{engine,nodes}.so.*  the studio's private shared libraries
#   lib/irlstudio/plugins/*.so                  node packs (the built-in one)
#   share/irlstudio/{models,graphs}             bundled weights with their cards, example graphs
#   share/applications/org.irlstudio.Studio.desktop
#   share/metainfo/org.irlstudio.Studio.metainfo.xml
#   share/mime/packages/org.irlstudio.Studio.xml   application/x-irlstudio-graph (*.irlgraph)
#   share/icons/hicolor/scalable/apps/org.irlstudio.Studio.svg
#
# The programs find everything from their own location (<exe>/../lib/irlstudio/plugins,
# <exe>/../share/irlstudio; see engine/src/resources.cpp and nodes/src/plugin_loader.cpp), never
# from the source tree, and their RUNPATHs are relative ($ORIGIN), so an install tree or an
# extracted .deb works wherever it lies, without ldconfig.
#
# The private libraries go to lib/irlstudio rather than GNUInstallDirs' multiarch libdir: the
# programs look for <exe>/../lib/irlstudio/plugins, and libraries that no other package links
# against do not belong on the system's library path.
include(GNUInstallDirs)

set(IRL_INSTALL_PRIVATE_LIBDIR lib/irlstudio)
set(IRL_INSTALL_PLUGINDIR ${IRL_INSTALL_PRIVATE_LIBDIR}/plugins)
set(IRL_INSTALL_DATADIR ${CMAKE_INSTALL_DATADIR}/irlstudio)
set(IRL_APP_ID org.irlstudio.Studio)

# RUNPATHs that hold in the install tree: relative to each file's own folder.
set_target_properties(irlstudio-cli PROPERTIES INSTALL_RPATH "$ORIGIN/../${IRL_INSTALL_PRIVATE_LIBDIR}")
set_target_properties(irl_engine irl_nodes PROPERTIES INSTALL_RPATH "$ORIGIN")
set_target_properties(irl_builtin_nodes PROPERTIES INSTALL_RPATH "$ORIGIN/..")

install(TARGETS irlstudio-cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET irlstudio)
  set_target_properties(irlstudio PROPERTIES INSTALL_RPATH "$ORIGIN/../${IRL_INSTALL_PRIVATE_LIBDIR}")
  install(TARGETS irlstudio RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
# No headers are installed, so no development symlink (libirlstudio-engine.so) either.
install(TARGETS irl_engine irl_nodes LIBRARY DESTINATION ${IRL_INSTALL_PRIVATE_LIBDIR} NAMELINK_SKIP)
install(TARGETS irl_builtin_nodes LIBRARY DESTINATION ${IRL_INSTALL_PLUGINDIR})

# Bundled models (TorchScript weights and their cards) and the example graphs.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/models/ DESTINATION ${IRL_INSTALL_DATADIR}/models
        FILES_MATCHING PATTERN "*.pt" PATTERN "*.json" PATTERN "*.md")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/graphs/ DESTINATION ${IRL_INSTALL_DATADIR}/graphs
        FILES_MATCHING PATTERN "*.json" PATTERN "*.irlgraph")

# Desktop integration: launcher, software-centre metadata, the graph-file MIME type, the icon.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/${IRL_APP_ID}.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/${IRL_APP_ID}.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/mime/${IRL_APP_ID}.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/mime/packages)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/icons/${IRL_APP_ID}.svg
        DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
