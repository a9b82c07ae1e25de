"""coalitionlab.planner"""
