"""coalitionlab.measures"""
