//! (Being built: the release catalog, release-ref discovery and base detection.)
