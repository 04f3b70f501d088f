// Placeholder until the simulator lands in this session.
enum SimulatorPlaceholder {}
