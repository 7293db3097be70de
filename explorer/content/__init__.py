"""What the explorer says, as plain data: samples, the comparison table, the guide, reasons."""
