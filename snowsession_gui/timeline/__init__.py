"""The timeline: session index over simulated time, its plot, marks, axes, spans and picture."""
