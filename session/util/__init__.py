"""Small helpers of the engine and its tooling: reading files people name (:mod:`.files`),
values quoted for people (:mod:`.text`) and the one wording of how to install an extra
(:mod:`.install`)."""
