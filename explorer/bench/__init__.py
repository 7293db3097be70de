"""The performance lab: closed-loop load against both servers, measured in a process of its own."""
