"""coalitionlab.bargaining"""
